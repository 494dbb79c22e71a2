"""Schema migrations: every path to head, models agree with the migrated schema, backups, newer files.

Upgrade fixtures (Electrum-style): ``tests/fixtures/stores/store-<revision>.sqlite`` are stores saved by
the releases that introduced each schema revision, built by ``python -m tests.fixtures.make_store_fixture``.
Each future release whose schema changes adds its own saved file (never regenerating the older ones), and
:func:`test_saved_store_survives_migration` opens every one of them with the current code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, select

import localdb.migrate
import localdb.revisions
from app.edition import EditionCatalog
from app.workspace import Workspace
from localdb import models as m
from localdb.backups import BACKUP_FOLDER, list_files
from localdb.migrate import all_revisions, current_revision, head_revision, upgrade
from localdb.store import Store, StoreError, StoreTooNew
from sync import dossier_format
from tests.conftest import run_cli
from tests.factories import commune_profile, fixed_clock
from tests.fixtures import make_store_fixture as fixture

STORES = Path(__file__).with_name("fixtures") / "stores"
SAVED = sorted(STORES.glob("store-*.sqlite"))


def raw_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def backups(path: Path, kind: str = "avant-migration") -> list[Path]:
    """The backups of one kind (the day's backup, taken when a workspace opens, is not about migrating)."""
    folder = path.parent / BACKUP_FOLDER
    everything = sorted(folder.iterdir()) if folder.is_dir() else []
    of_kind = [b.path for b in list_files(path) if b.kind == kind]
    assert len(everything) == len(list_files(path)), everything  # nothing else lands in the folder
    return sorted(of_kind)


def schema_diff(store: Store, metadata: MetaData = m.Base.metadata) -> list[object]:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(ctx, metadata))


# ---------------------------------------------------------------------- paths to head


def test_revisions_form_one_line_ending_at_head() -> None:
    revs = all_revisions()
    assert revs and revs[0] == "0001"
    assert revs[-1] == head_revision()
    assert len(set(revs)) == len(revs)
    assert len(localdb.migrate.script().get_heads()) == 1


def test_the_revisions_known_without_alembic_are_alembics() -> None:
    """localdb.revisions lets a store at head open without importing Alembic: it must follow every migration."""
    assert list(localdb.revisions.KNOWN) == all_revisions()
    assert head_revision() == localdb.revisions.HEAD


def test_empty_file_to_head(store_path: Path) -> None:
    with Store.open(store_path) as store:
        assert current_revision(store) == head_revision()
        assert store.integrity_ok()
        assert schema_diff(store) == []
    assert backups(store_path) == []  # nothing to save in a brand-new file


@pytest.mark.parametrize("revision", all_revisions())
def test_every_earlier_revision_reaches_head(store_path: Path, revision: str) -> None:
    with Store.open(store_path, migrate=False) as store:
        assert current_revision(store) is None
        upgrade(store, revision)
        assert current_revision(store) == revision
    with Store.open(store_path) as store:
        assert current_revision(store) == head_revision()
        assert store.integrity_ok()
        assert schema_diff(store) == []
    # Only an older file with tables is backed up before migrating.
    assert len(backups(store_path)) == (0 if revision == head_revision() else 1)


def test_models_and_migrated_schema_agree(store_path: Path) -> None:
    with Store.open(store_path) as store:
        assert schema_diff(store) == []
        # The comparison is able to see a difference (so an empty answer means something).
        altered = MetaData()
        for table in m.Base.metadata.sorted_tables:
            table.to_metadata(altered)
        altered.tables["action"].append_column(Column("extra", String, nullable=True))
        diff = schema_diff(store, altered)
        assert any(d[0] == "add_column" and d[3].name == "extra" for d in diff), diff  # type: ignore[index]


# ---------------------------------------------------------------------- backups before migrating


NOTE_ON_COLLECTIVITY = """
def upgrade() -> None:
    with op.batch_alter_table("collectivity") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("collectivity") as batch_op:
        batch_op.drop_column("note")
"""


def install_next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str = NOTE_ON_COLLECTIVITY) -> str:
    """Ship the real migrations plus one more real revision on top, as the next release would; return the
    former head.

    With a single released revision there is no "older file" yet; this plays the next release so that
    the backup taken before a real migration is exercised today (alembic runs for real on real files).
    """
    folder = tmp_path / "migrations"
    shutil.copytree(localdb.migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    old_head = head_revision()
    (folder / "versions" / "9000_next.py").write_text(
        f'''"""test: the next release's migration

Revision ID: 9000
Revises: {old_head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9000"
down_revision = "{old_head}"
branch_labels = None
depends_on = None
{body}''',
        encoding="utf-8",
    )
    monkeypatch.setattr(localdb.migrate, "MIGRATIONS", folder)
    monkeypatch.setattr(localdb.revisions, "KNOWN", (*localdb.revisions.KNOWN, "9000"))
    monkeypatch.setattr(localdb.revisions, "HEAD", "9000")
    assert head_revision() == "9000"
    return old_head


@pytest.fixture
def next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return install_next_revision(tmp_path, monkeypatch)


def test_backup_is_taken_before_migrating_an_older_file(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes", population=1047)
    old_bytes_rev = raw_rows(store_path, "SELECT version_num FROM alembic_version")
    assert backups(store_path) == []

    old_head = install_next_revision(store_path.parent, monkeypatch)
    with Store.open(store_path) as store:
        assert current_revision(store) == "9000"
        assert store.integrity_ok()
    [backup] = backups(store_path)
    assert re.fullmatch(r"commune\.avant-migration-\d{8}-\d{6}\.sqlite", backup.name), backup.name
    assert backup.read_bytes()[18:20] == b"\x01\x01"  # a single self-contained file, no -wal needed
    # The backup is a readable SQLite file holding the old data in the old schema.
    assert raw_rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert raw_rows(backup, "SELECT version_num FROM alembic_version") == old_bytes_rev == [(old_head,)]
    assert raw_rows(backup, "SELECT name, population FROM collectivity") == [("Saint-Aubin-des-Landes", 1047)]
    assert "note" not in [r[1] for r in raw_rows(backup, "PRAGMA table_info(collectivity)")]
    # The store itself was migrated, data kept.
    assert raw_rows(store_path, "SELECT name, note FROM collectivity") == [("Saint-Aubin-des-Landes", "")]
    # Opening again at head: no new backup.
    Store.open(store_path).close()
    assert len(backups(store_path)) == 1


def test_no_backup_for_a_brand_new_file_even_with_several_revisions(store_path: Path, next_revision: str) -> None:
    with Store.open(store_path) as store:
        assert current_revision(store) == "9000"
    assert backups(store_path) == []
    assert not (store_path.parent / BACKUP_FOLDER).exists()


# ---------------------------------------------------------------------- migrations that rebuild tables

REBUILD_DOSSIER_AND_ACTION = """
def upgrade() -> None:
    # What a later release changing a column does on SQLite: each table is copied, DROPped and renamed.
    for table in ("dossier", "action"):
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
"""

BREAK_A_REFERENCE = """
def upgrade() -> None:
    op.execute("INSERT INTO action_service (action_id, service_id) VALUES (424242, 'identite-01')")
"""

# Every table whose rows hang (directly or through action) on a dossier: a cascade would empty them.
CHILDREN = ("action", "action_service", "action_address", "attachment", "epci_answer", "snapshot", "dossier_event")


def table_rows(path: Path, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    return raw_rows(path, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}")


def test_rebuilding_dossier_and_action_keeps_every_child_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "commune.sqlite"
    shutil.copyfile(STORES / f"store-{head_revision()}.sqlite", path)
    with closing(sqlite3.connect(path)) as conn:  # the outbox hangs on dossier too: give it a row
        conn.execute(
            "INSERT INTO outbox (submission_uuid, dossier_id, revision, payload_sha256, state, attempts, "
            "last_error, created_at, updated_at) VALUES ('00000000-0000-0000-0000-00000000abcd', 1, 1, "
            "'ab', 'en_attente', 0, '', '2026-11-23 10:30:00', '2026-11-23 10:30:00')"
        )
        conn.commit()
    tables = ("dossier", *CHILDREN, "outbox")
    columns = {t: [r[1] for r in raw_rows(path, f"PRAGMA table_info({t})")] for t in tables}
    before = {t: table_rows(path, t, columns[t]) for t in tables}
    assert all(before.values()), {t: len(rows) for t, rows in before.items()}

    install_next_revision(tmp_path, monkeypatch, REBUILD_DOSSIER_AND_ACTION)
    with Store.open(path) as store:
        assert current_revision(store) == "9000"
        assert store.integrity_ok()
        with store.engine.connect() as conn:  # the pooled connection that migrated has its foreign keys back
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    for table in ("dossier", "action"):  # the tables really were rebuilt
        assert "note" in [r[1] for r in raw_rows(path, f"PRAGMA table_info({table})")]
    after = {t: table_rows(path, t, columns[t]) for t in tables}
    assert after == before


def test_a_migration_that_breaks_a_reference_is_refused_and_rolled_back(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes")
    old_head = install_next_revision(store_path.parent, monkeypatch, BREAK_A_REFERENCE)

    with pytest.raises(StoreError) as exc:
        Store.open(store_path)

    msg = str(exc.value)
    assert "a été annulée" in msg and "1 lien cassé entre" in msg and "action_service" in msg
    assert str(store_path) in msg and "tel qu'il était" in msg
    assert raw_rows(store_path, "SELECT version_num FROM alembic_version") == [(old_head,)]
    assert raw_rows(store_path, "SELECT count(*) FROM action_service") == [(0,)]
    assert raw_rows(store_path, "PRAGMA foreign_key_check") == []


# ---------------------------------------------------------------------- files from a newer Arobase


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_file_from_a_newer_version_is_refused_untouched(store_path: Path, journal: str) -> None:
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes")
    with closing(sqlite3.connect(store_path, isolation_level=None)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
        conn.execute(f"PRAGMA journal_mode={journal}")
    before = store_path.read_bytes()
    listing = sorted(p.name for p in store_path.parent.iterdir())
    for opener in (Store.open, Workspace.open):
        with pytest.raises(StoreTooNew) as exc:
            opener(store_path)
        msg = str(exc.value)
        assert "version plus récente d'Arobase" in msg and "« ffff »" in msg and "Mettez Arobase à jour" in msg
        assert str(store_path) in msg
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == listing  # no backup, no -wal left behind


def test_cli_reports_a_newer_file_in_french(store_path: Path) -> None:
    Store.open(store_path).close()
    with closing(sqlite3.connect(store_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
        conn.commit()
    before = store_path.read_bytes()
    result = run_cli("--db", str(store_path), "status")
    assert result.returncode == 2, result.stderr
    assert "version plus récente d'Arobase" in result.stderr and "Traceback" not in result.stderr
    assert store_path.read_bytes() == before


# ---------------------------------------------------------------------- saved stores of every release


def test_a_saved_store_exists_for_the_current_schema() -> None:
    target = STORES / f"store-{head_revision()}.sqlite"
    assert target.is_file(), f"lancez : python -m tests.fixtures.make_store_fixture (crée {target})"
    for path in SAVED:
        assert not path.with_name(path.name + "-wal").exists()
        assert not path.with_name(path.name + "-journal").exists()
        header = path.read_bytes()[:100]
        assert header[18:20] == b"\x01\x01", f"{path.name} must be a single file (rollback journal, not WAL)"
        (rev,) = raw_rows(path, "SELECT version_num FROM alembic_version")[0]
        assert path.name == f"store-{rev}.sqlite"
        assert rev in all_revisions()


@pytest.mark.parametrize("saved", SAVED, ids=[p.stem for p in SAVED])
def test_saved_store_survives_migration(saved: Path, tmp_path: Path, catalog: EditionCatalog) -> None:
    path = tmp_path / "commune.sqlite"
    shutil.copyfile(saved, path)
    snapshots_before = raw_rows(path, "SELECT revision, sha256, content FROM snapshot ORDER BY revision")
    events_before = raw_rows(path, "SELECT from_state, to_state, revision, detail FROM dossier_event ORDER BY id")
    (rev_before,) = raw_rows(path, "SELECT version_num FROM alembic_version")[0]

    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        assert current_revision(ws.store) == head_revision()
        assert ws.store.integrity_ok()
        assert len(backups(path)) == (0 if rev_before == head_revision() else 1)
        edition = ws.edition(fixture.EDITION)
        expected = fixture.expected_dossier(edition)

        assert ws.profile() == commune_profile()
        [summary] = ws.dossier_summaries()
        assert (summary.edition, summary.state, summary.revision) == ("2019", "brouillon", 2)
        assert summary.action_count == fixture.N_ACTIONS

        data = ws.load(fixture.EDITION)
        assert [a.uuid for a in data.actions] == [a.uuid for a in expected.actions]
        for got, want in zip(data.actions, expected.actions, strict=True):
            assert got.services == want.services
            assert got.addresses == want.addresses
            assert (got.title, got.level, got.delivered_by) == (want.title, want.level, want.delivered_by)
            assert (got.start_date, got.end_date) == (want.start_date, want.end_date)
        assert data.actions[1].synthesis == fixture.EDITED_SYNTHESIS
        assert [a.synthesis for a in data.actions[2:]] == [a.synthesis for a in expected.actions[2:]]
        [attachment] = data.actions[0].attachments
        assert attachment.sha256 == hashlib.sha256(fixture.ATTACHMENT_BYTES).hexdigest()
        assert (attachment.name, attachment.size) == (fixture.ATTACHMENT_NAME, len(fixture.ATTACHMENT_BYTES))
        assert data.epci_answers == expected.epci_answers

        # The frozen revision is byte for byte what was validated.
        [snap] = ws.snapshots(fixture.EDITION)
        (revision, sha, content) = snapshots_before[0]
        assert (snap.revision, snap.sha256) == (revision, sha) == (1, sha)
        doc = ws.snapshot_document(fixture.EDITION, 1)
        assert dossier_format.sha256_hex(dossier_format.canonical_json(doc)) == sha
        assert hashlib.sha256(str(content).encode("utf-8")).hexdigest() == sha
        assert len(doc["actions"]) == fixture.N_ACTIONS
        assert doc["actions"][1]["synthesis"] == expected.actions[1].synthesis  # before the later edit
        with ws.store.read() as s:
            events = s.execute(
                select(
                    m.DossierEvent.from_state, m.DossierEvent.to_state, m.DossierEvent.revision, m.DossierEvent.detail
                ).order_by(m.DossierEvent.id)
            ).all()
        assert [tuple(e) for e in events] == events_before
        assert [e[1] for e in events_before] == ["brouillon", "valide", "brouillon"]

        # The migrated store is fully usable.
        ws.update_action(fixture.EDITION, data.actions[2].uuid, synthesis="Modifiée après migration.")
        assert ws.load(fixture.EDITION).actions[2].synthesis == "Modifiée après migration."
        assert ws.store.integrity_ok()
    assert json.loads(str(content))["edition"] == "2019"


def test_fixture_builder_reproduces_the_saved_content(tmp_path: Path) -> None:
    """The builder still makes what the saved file of the current revision holds (same frozen snapshot)."""
    built = fixture.build(tmp_path)
    single = tmp_path / "single.sqlite"
    fixture.save_single_file(built, single)
    assert single.read_bytes()[18:20] == b"\x01\x01"
    saved = STORES / f"store-{head_revision()}.sqlite"
    query = "SELECT revision, sha256 FROM snapshot"
    assert raw_rows(single, query) == raw_rows(saved, query)
    for table in ("action", "action_service", "action_address", "attachment", "epci_answer", "dossier_event"):
        count = f"SELECT count(*) FROM {table}"
        assert raw_rows(single, count) == raw_rows(saved, count), table
