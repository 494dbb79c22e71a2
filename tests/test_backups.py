"""Backups and restore on real store files: online copies of a live WAL file, rotation, the day's backup,
the backup before validation, restoring (healthy, locked, damaged current file), refused backups."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.backups import (
    BackupError,
    BackupInfo,
    damaged_text,
    find_backup,
    latest_good_backup,
    list_backups,
    restore_backup,
    restored_text,
    take_backup,
)
from app.edition import Edition, EditionCatalog
from app.errors import StoreDamaged, StoreError, StoreLocked
from app.interchange import to_document
from app.workspace import ValidationBlocked, Workspace
from localdb.backups import BACKUP_FOLDER, BackupDossier, list_files, read_content, take
from localdb.migrate import head_revision
from localdb.store import Store
from tests.factories import FIXED_NOW, complete_dossier, damage_middle_pages, fixed_clock
from tests.fixtures.make_store_fixture import ticking_clock as ticking


def raw_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def syntheses(path: Path) -> list[object]:
    return [r[0] for r in raw_rows(path, "SELECT synthesis FROM action ORDER BY position")]


def filled_store(path: Path, catalog: EditionCatalog, edition: Edition, n_actions: int = 3) -> None:
    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, n_actions)))


def info(store_path: Path, backup: Path) -> BackupInfo:
    return next(b for b in list_backups(store_path) if b.path == backup)


# ---------------------------------------------------------------------- taking


def test_backup_of_a_live_wal_store_holds_its_last_commits(
    store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 3)))
        ws.update_profile(name="Saint-Aubin-des-Landes")
        assert store_path.with_name(store_path.name + "-wal").stat().st_size > 0
        # What a file copy would have saved: the main file alone, without the commits still in the WAL.
        plain_copy = tmp_path / "copie-du-fichier.sqlite"
        shutil.copyfile(store_path, plain_copy)
        try:
            copied = raw_rows(plain_copy, "SELECT count(*) FROM action")[0][0]
        except sqlite3.Error:
            copied = None
        assert copied in (None, 0)

        backup = take_backup(ws.store, "quotidienne", fixed_clock)

    assert backup.parent == store_path.parent / BACKUP_FOLDER
    assert backup.name == "commune.quotidienne-20261123-103000.sqlite"
    assert backup.read_bytes()[18:20] == b"\x01\x01"  # one self-contained file (rollback journal)
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]  # no -wal, no partial file
    content = read_content(backup)
    assert content.readable and content.schema == head_revision()
    assert content.collectivity == "Saint-Aubin-des-Landes"
    assert content.dossiers == (BackupDossier("2019", "brouillon", 1, 3),)
    assert raw_rows(backup, "PRAGMA integrity_check") == [("ok",)]


def test_the_newest_ten_of_each_kind_are_kept(store_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    filled_store(store_path, catalog, edition)
    assert list_files(store_path) == []
    start = datetime(2026, 11, 1, 9, 0, 0)
    for i in range(12):
        take(store_path, "quotidienne", start + timedelta(days=i))
    take(store_path, "avant-validation", start)

    found = list_files(store_path)
    daily = [b.taken_at for b in found if b.kind == "quotidienne"]
    assert daily == [start + timedelta(days=i) for i in range(11, 1, -1)]  # newest first, the 2 oldest gone
    assert [b.kind for b in found].count("avant-validation") == 1
    assert len(list((store_path.parent / BACKUP_FOLDER).iterdir())) == 11


def test_backups_within_the_same_second_get_their_own_names(store_path: Path) -> None:
    Store.open(store_path).close()
    first = take(store_path, "avant-validation", FIXED_NOW)
    second = take(store_path, "avant-validation", FIXED_NOW)
    assert (first.name, second.name) == (
        "commune.avant-validation-20261123-103000.sqlite",
        "commune.avant-validation-20261123-103000-2.sqlite",
    )
    assert [b.path for b in list_files(store_path)] == [second, first]  # newest first


def test_each_store_lists_only_its_own_backups(tmp_path: Path) -> None:
    stores = [tmp_path / name for name in ("commune.sqlite", "commune.ancien.sqlite", "commune-2.sqlite")]
    for path in stores:
        Store.open(path).close()
        take(path, "quotidienne", FIXED_NOW)
    for path in stores:
        [only] = list_files(path)
        assert only.path.name == f"{path.stem}.quotidienne-20261123-103000.sqlite"


def test_one_backup_a_day_while_the_file_is_used(store_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    now = {"t": FIXED_NOW}

    def clock() -> datetime:
        return now["t"]

    with Workspace.open(store_path, catalog, clock=clock) as ws:  # a new, empty file: nothing to save
        assert list_files(store_path) == []
        ws.import_document(to_document(complete_dossier(edition, 2)))
    for _ in range(3):
        Workspace.open(store_path, catalog, clock=clock).close()
    [daily] = list_files(store_path)
    assert (daily.kind, daily.taken_at) == ("quotidienne", FIXED_NOW)

    now["t"] = FIXED_NOW + timedelta(days=1)
    Workspace.open(store_path, catalog, clock=clock).close()
    assert [b.taken_at for b in list_files(store_path)] == [now["t"], FIXED_NOW]


def test_a_backup_is_taken_before_each_validation(ws: Workspace, edition: Edition) -> None:
    ws.open_dossier("2019")
    with pytest.raises(ValidationBlocked):
        ws.validate("2019")
    assert list_files(ws.path) == []  # refused: nothing to save

    ws.import_document(to_document(complete_dossier(edition, 2)))
    ws.validate("2019")

    [backup] = list_backups(ws.path)
    assert backup.kind == "avant-validation" and backup.kind_label == "avant validation"
    assert backup.content.dossiers == (BackupDossier("2019", "brouillon", 1, 2),)  # the file just before
    assert ws.load("2019").state == "valide"


def test_validation_is_refused_when_its_backup_cannot_be_written(ws: Workspace, edition: Edition) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    (ws.path.parent / BACKUP_FOLDER).write_text("un fichier là où le dossier des sauvegardes devrait être")
    with pytest.raises(StoreError) as exc:
        ws.validate("2019")
    assert "n'a pas pu être écrite" in str(exc.value) and "place libre" in str(exc.value)
    assert ws.load("2019").state == "brouillon"
    assert ws.snapshots("2019") == []


# ---------------------------------------------------------------------- restoring


def test_restore_puts_the_backup_back_and_keeps_the_file_it_replaces(
    store_path: Path, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    photo = tmp_path / "atelier.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 3)))
        first, second = ws.load("2019").actions[:2]
        attachment = ws.add_attachment("2019", first.uuid, photo)
        backup = take_backup(ws.store, "quotidienne", fixed_clock)
        # After the backup: an edit, a removed attachment, a deleted action.
        ws.update_action("2019", first.uuid, synthesis="Écrit après la sauvegarde.")
        ws.remove_attachment("2019", first.uuid, attachment.sha256)
        ws.delete_action("2019", second.uuid)
    assert len(syntheses(store_path)) == 2

    report = restore_backup(store_path, info(store_path, backup), ticking())

    assert report.set_aside is None and report.saved_current is not None
    assert report.saved_current.name == "commune.avant-restauration-20261123-103100.sqlite"
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        data = ws.load("2019")
        assert [a.uuid for a in data.actions] == [a.uuid for a in complete_dossier(edition, 3).actions]
        assert data.actions[0].synthesis == first.synthesis
        [back] = data.actions[0].attachments
        assert back.sha256 == attachment.sha256 and ws.has_file(back.sha256)  # its bytes never left the folder
        assert ws.store.integrity_ok()
    # The file as it was just before the restore is a backup too, and restoring it undoes the restore.
    assert read_content(report.saved_current).dossiers == (BackupDossier("2019", "brouillon", 1, 2),)
    assert "a été remise en place" in restored_text(report) and report.saved_current.name in restored_text(report)
    restore_backup(store_path, find_backup(store_path, report.saved_current.name), ticking(FIXED_NOW + timedelta(1)))
    assert syntheses(store_path)[0] == "Écrit après la sauvegarde."


def test_restore_waits_for_another_program_and_then_refuses_untouched(
    store_path: Path, catalog: EditionCatalog, edition: Edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")
    filled_store(store_path, catalog, edition, 3)
    backup = take(store_path, "quotidienne", FIXED_NOW)
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.delete_action("2019", ws.load("2019").actions[0].uuid)
        with pytest.raises(StoreLocked) as exc:  # this workspace still has the file open
            restore_backup(store_path, info(store_path, backup), ticking())
        assert "utilisé par un autre programme" in str(exc.value) and "Rien n'a été modifié" in str(exc.value)
        assert len(ws.load("2019").actions) == 2
    assert len(syntheses(store_path)) == 2


def test_restoring_over_a_damaged_file_keeps_it_untouched_under_another_name(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 12)
    backup = take(store_path, "quotidienne", FIXED_NOW)
    damaged = damage_middle_pages(store_path)
    with pytest.raises(StoreDamaged) as exc:
        Workspace.open(store_path, catalog, clock=fixed_clock)
    assert exc.value.path == store_path
    assert store_path.read_bytes() == damaged
    assert [b.path for b in list_files(store_path)] == [backup]  # no backup of a damaged file

    good = latest_good_backup(store_path)
    assert good is not None and good.path == backup
    message = damaged_text(exc.value, good)
    assert "est endommagé" in message and "ne l'a pas modifié" in message and good.when in message
    assert "commune.endommage-(date).sqlite" in message and "12 actions" in message
    report = restore_backup(store_path, good, ticking())

    assert report.saved_current is None
    assert report.set_aside == store_path.with_name("commune.endommage-20261123-103100.sqlite")
    assert report.set_aside.read_bytes() == damaged
    assert report.set_aside.name in restored_text(report)
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 12
        assert ws.store.integrity_ok()


def test_a_damaged_or_newer_backup_is_listed_as_such_and_refused(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 12)
    broken = take(store_path, "quotidienne", FIXED_NOW)
    damage_middle_pages(broken)
    newer = take(store_path, "avant-validation", FIXED_NOW + timedelta(seconds=1))
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
        conn.commit()
    before = store_path.read_bytes()

    listed = {b.path: b for b in list_backups(store_path)}
    assert not listed[broken].usable and "illisible" in listed[broken].contents_text()
    assert not listed[newer].usable and "plus récente" in listed[newer].contents_text()
    assert latest_good_backup(store_path) is None
    with pytest.raises(BackupError, match="elle-même endommagée"):
        restore_backup(store_path, listed[broken])
    with pytest.raises(BackupError, match="plus récente d'Arobase"):
        restore_backup(store_path, listed[newer])
    assert store_path.read_bytes() == before
    assert len(list_files(store_path)) == 2  # no backup of the current file for a refused restore


def test_a_backup_is_found_by_number_or_by_name(store_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    Store.open(store_path).close()
    with pytest.raises(BackupError, match="aucune sauvegarde"):
        find_backup(store_path, "1")
    old = take(store_path, "quotidienne", FIXED_NOW)
    new = take(store_path, "avant-validation", FIXED_NOW + timedelta(hours=1))
    assert find_backup(store_path, "1").path == new
    assert find_backup(store_path, " 2 ").path == old
    assert find_backup(store_path, old.name).path == old
    assert find_backup(store_path, str(old)).path == old
    for wrong in ("3", "0", "commune.sqlite", "hier"):
        with pytest.raises(BackupError) as exc:
            find_backup(store_path, wrong)
        assert f"«\u00a0{wrong}\u00a0» introuvable" in exc.value.message and "de 1 à 2" in exc.value.message


def test_a_backup_from_an_older_schema_is_restored_then_migrated(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 2)
    oldest = sorted((Path(__file__).parent / "fixtures" / "stores").glob("store-*.sqlite"))[0]
    saved = store_path.parent / BACKUP_FOLDER / "commune.avant-migration-20261101-090000.sqlite"
    saved.parent.mkdir()
    shutil.copyfile(oldest, saved)
    [listed] = list_backups(store_path)
    assert listed.usable and listed.content.schema != head_revision()

    restore_backup(store_path, listed, ticking())

    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert [d.action_count for d in ws.dossier_summaries()] == [10]  # the saved store's ten actions
        assert ws.store.integrity_ok()
    kinds = [b.kind for b in list_files(store_path)]
    assert kinds.count("avant-migration") == 2 and kinds.count("avant-restauration") == 1


def test_an_emptied_file_that_has_backups_is_damaged_not_a_new_store(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 2)
    take(store_path, "quotidienne", FIXED_NOW)
    store_path.write_bytes(b"")  # what a crash on some file systems leaves
    with pytest.raises(StoreDamaged) as exc:
        Workspace.open(store_path, catalog, clock=fixed_clock)
    assert "est vide alors que des sauvegardes" in str(exc.value)
    assert store_path.read_bytes() == b""
    good = latest_good_backup(store_path)
    assert good is not None
    restore_backup(store_path, good, ticking())
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 2


def test_a_store_given_by_a_relative_path_lists_and_restores_its_backups(
    store_path: Path, catalog: EditionCatalog, edition: Edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled_store(store_path, catalog, edition, 2)
    take(store_path, "quotidienne", FIXED_NOW)
    monkeypatch.chdir(store_path.parent)
    relative = Path(store_path.name)  # as `arobase --db commune.sqlite` gives it
    [listed] = list_backups(relative)
    assert listed.usable and listed.content.dossiers == (BackupDossier("2019", "brouillon", 1, 2),)
    report = restore_backup(relative, find_backup(relative, "1"), ticking())
    assert report.saved_current is not None and report.saved_current.is_file()


def test_a_damaged_file_goes_aside_with_its_journal_files_untouched(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 12)
    take(store_path, "quotidienne", FIXED_NOW)
    damaged = damage_middle_pages(store_path)
    wal = store_path.with_name(store_path.name + "-wal")
    wal_bytes = b"\x37\x7f\x06\x82" + bytes(range(256)) * 4  # what a crash may leave beside it
    wal.write_bytes(wal_bytes)
    good = latest_good_backup(store_path)
    assert good is not None

    report = restore_backup(store_path, good, ticking())

    assert report.set_aside is not None
    assert report.set_aside.read_bytes() == damaged
    assert report.set_aside.with_name(report.set_aside.name + "-wal").read_bytes() == wal_bytes
    assert not report.set_aside.with_name(report.set_aside.name + "-shm").exists()
    assert not wal.exists() or wal.stat().st_size == 0  # never replayed into the restored file
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 12 and ws.store.integrity_ok()


def test_a_day_backup_that_cannot_be_written_does_not_stop_the_file_from_opening(
    store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    filled_store(store_path, catalog, edition, 2)
    (store_path.parent / BACKUP_FOLDER).write_text("un fichier là où le dossier des sauvegardes devrait être")
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        assert len(ws.load("2019").actions) == 2
    assert list_files(store_path) == []
