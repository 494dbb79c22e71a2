"""Nothing typed is lost: steady typing, failed writes, closing, reloads and frozen dossiers, on real files.

The faults are real: another connection holding the SQLite write lock past the busy timeout, a file made
immutable (read-only even for root), SQLite's own page limit for a full disk.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.edition import Edition, EditionCatalog
from app.interchange import read_document, to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import (
    ModalAnswerer,
    WindowFactory,
    click_button,
    quit_without_saving,
    save_as,
    wait_idle,
)
from ui.dossier_controller import DossierController
from ui.dossier_saving import RETRY_DELAY_MS
from ui.qt import QMessageBox
from ui.tasks import Lane, TaskRunner

ED = "2019"


def _reread(path: Path, catalog: EditionCatalog) -> Workspace:
    return Workspace.open(path, catalog, clock=fixed_clock)


def _controller(ws: Workspace, runner: TaskRunner) -> DossierController:
    ctl = DossierController(ws, runner)
    ctl.load_now()
    return ctl


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that meets another program's lock gives up after 0.2 s instead of 5."""
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")


class Lock:
    """Another program holding the store's write lock (a real second SQLite connection)."""

    def __init__(self, path: Path) -> None:
        self.conn: sqlite3.Connection | None = sqlite3.connect(path, timeout=0, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        """Give the lock back; safe to call twice."""
        if self.conn is not None:
            self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


@pytest.fixture
def filled(ws: Workspace, edition: Edition) -> Workspace:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    return ws


# ---------------------------------------------------------------------- issue 9 point 9: steady typing


def test_steady_typing_is_saved_within_two_seconds(qtbot: QtBot, make_window: WindowFactory, filled: Workspace) -> None:
    window = make_window(filled)
    uuid = window.controller.dossier.actions[0].uuid
    window.view.navigate(f"action:{uuid}")
    field = window.view.actions_page.editor.widgets["synthesis"]
    field.setFocus()
    saves: list[object] = []
    window.controller.saved.connect(saves.append)
    for ch in "Le conseil municipal a vote":  # one key every 150 ms: never a 600 ms pause
        qtbot.keyClicks(field, ch)
        qtbot.wait(150)
    assert saves, "nothing was written during 4 s of steady typing"
    wait_idle(qtbot, window.runner)
    on_disk = filled.load(ED).action(uuid).synthesis
    assert on_disk.startswith("Le conseil") and len(on_disk) > len("Le conseil")


def test_autosave_does_not_wait_behind_long_background_work(
    qtbot: QtBot, filled: Workspace, runner: TaskRunner
) -> None:
    ctl = _controller(filled, runner)
    release = threading.Event()
    runner.run(lambda: release.wait(20), lane=Lane.BACKGROUND)  # a PDF build, the commune list…
    try:
        ctl.set_profile_field("name", "Écrit pendant le PDF")
        with qtbot.waitSignal(ctl.saved, timeout=5_000):
            pass
        assert filled.profile().name == "Écrit pendant le PDF"
    finally:
        release.set()
    wait_idle(qtbot, runner)


# ---------------------------------------------------------------------- point 10: one bad item


def test_one_item_that_cannot_be_written_does_not_block_the_others(
    qtbot: QtBot, filled: Workspace, runner: TaskRunner, catalog: EditionCatalog
) -> None:
    ctl = _controller(filled, runner)
    gone, kept = (a.uuid for a in ctl.dossier.actions)
    other = _reread(filled.path, catalog)
    other.delete_action(ED, gone)  # deleted by another program (the CLI) while the window is open
    other.close()
    errors: list[str] = []
    ctl.save_failed.connect(errors.append)
    ctl.set_action_field(gone, "title", "Modifiée ailleurs")
    ctl.set_action_field(kept, "title", "Écrite")
    ctl.save_pending()
    wait_idle(qtbot, runner)
    assert filled.load(ED).action(kept).title == "Écrite"
    assert len(errors) == 1 and "«\u00a0Modifiée ailleurs\u00a0»" in errors[0] and "exportez" in errors[0]
    # The next batches are not blocked by it.
    ctl.set_action_field(kept, "synthesis", "Ensuite")
    ctl.save_pending()
    wait_idle(qtbot, runner)
    assert filled.load(ED).action(kept).synthesis == "Ensuite" and len(errors) == 1
    assert not ctl.has_pending()


# ---------------------------------------------------------------------- point 16: locked, read-only, full


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_a_locked_store_keeps_the_edits_and_retries_by_itself(
    qtbot: QtBot, short_busy_timeout: None, store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 1)))
        runner = TaskRunner()
        ctl = _controller(ws, runner)
        uuid = ctl.dossier.actions[0].uuid
        errors: list[str] = []
        ctl.save_failed.connect(errors.append)
        lock = Lock(store_path)
        try:
            ctl.set_action_field(uuid, "results", "Gardé en mémoire")
            ctl.save_pending()
            qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
            assert "utilisé par un autre programme" in errors[0] and "restent affichées" in errors[0]
            assert ctl.has_pending() and ctl.action(uuid).results == "Gardé en mémoire"
        finally:
            lock.release()
        with qtbot.waitSignal(ctl.saved, timeout=RETRY_DELAY_MS + 5_000):  # no new keystroke needed
            pass
        wait_idle(qtbot, runner)
        assert ws.load(ED).action(uuid).results == "Gardé en mémoire" and not ctl.has_pending()
        runner.shutdown()


def _immutable(paths: list[Path], on: bool) -> None:
    """Read-only for everyone, root included (chattr +i); chmod where chattr is not available."""
    for p in paths:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i" if on else "-i", str(p)], check=True)
        else:
            p.chmod(0o444 if on else 0o644)


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_a_read_only_file_refuses_the_edit_in_french_and_loses_nothing(
    qtbot: QtBot, make_window: WindowFactory, filled: Workspace, store_path: Path, catalog: EditionCatalog
) -> None:
    window = make_window(filled)
    ctl = window.controller
    first = ctl.dossier.actions[0].uuid
    ctl.set_action_field(first, "tools", "Déjà enregistré")
    ctl.save_pending()
    wait_idle(qtbot, window.runner)
    filled.store.engine.dispose()  # the next write opens the file anew, as after a USB key turned read-only
    files = [store_path, store_path.with_name(store_path.name + "-wal")]
    files = [p for p in files if p.exists()]
    _immutable(files, True)
    try:
        ctl.set_action_field(first, "partners", "Tapé sur un fichier en lecture seule")
        with qtbot.waitSignal(ctl.save_failed, timeout=5_000) as failed:
            ctl.save_pending()
        assert "Impossible" in failed.args[0] and "restent affichées" in failed.args[0]
        assert window.saved_label.text() == "Non enregistré"
        assert "Non enregistré" in window.statusBar().currentMessage()
        assert ctl.action(first).partners == "Tapé sur un fichier en lecture seule"
    finally:
        _immutable(files, False)
    with qtbot.waitSignal(ctl.saved, timeout=RETRY_DELAY_MS + 5_000):
        pass
    wait_idle(qtbot, window.runner)
    again = _reread(store_path, catalog)
    a = again.load(ED).action(first)
    assert (a.tools, a.partners) == ("Déjà enregistré", "Tapé sur un fichier en lecture seule")
    assert again.store.integrity_ok()
    again.close()


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_a_full_disk_refuses_the_edit_in_french_and_loses_nothing(
    qtbot: QtBot, filled: Workspace, runner: TaskRunner, catalog: EditionCatalog
) -> None:
    ctl = _controller(filled, runner)
    first = ctl.dossier.actions[0].uuid
    engine = filled.store.engine
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def no_room(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL past it

    engine.dispose()
    event.listen(engine, "connect", no_room)
    big = "Un long compte rendu. " * 9_000  # 198,000 characters (the limit is 200,000): many new pages
    try:
        ctl.set_action_field(first, "results", big)
        with qtbot.waitSignal(ctl.save_failed, timeout=5_000) as failed:
            ctl.save_pending()
        assert "disque est plein" in failed.args[0]
        assert ctl.has_pending() and ctl.action(first).results == big
    finally:
        event.remove(engine, "connect", no_room)
        engine.dispose()
    with qtbot.waitSignal(ctl.saved, timeout=RETRY_DELAY_MS + 5_000):
        pass
    wait_idle(qtbot, runner)
    assert filled.load(ED).action(first).results == big
    assert filled.store.integrity_ok()


# ---------------------------------------------------------------------- point 8: closing is lossless


@pytest.fixture
def locked_window(
    qtbot: QtBot, short_busy_timeout: None, make_window: WindowFactory, store_path: Path, catalog: EditionCatalog
) -> Iterator[tuple[object, str, Lock]]:
    ws = Workspace.open(store_path, catalog, clock=fixed_clock)
    ws.import_document(to_document(complete_dossier(catalog.get(ED), 1)))
    window = make_window(ws)
    uuid = window.controller.dossier.actions[0].uuid
    window.controller.set_action_field(uuid, "title", "Tapé juste avant de fermer")
    lock = Lock(store_path)
    yield window, uuid, lock
    lock.release()


def _title_on_disk(path: Path, catalog: EditionCatalog, uuid: str) -> str:
    other = _reread(path, catalog)
    try:
        return other.load(ED).action(uuid).title
    finally:
        other.close()


def test_closing_when_the_last_write_fails_asks_and_retry_saves(
    qtbot: QtBot, locked_window: tuple, store_path: Path, catalog: EditionCatalog
) -> None:
    window, uuid, lock = locked_window
    seen: list[str] = []

    def retry_after_release(box: QMessageBox) -> None:
        seen.append(box.text() + box.informativeText())
        lock.release()
        click_button(box, "&Réessayer")

    with ModalAnswerer(qtbot, [retry_after_release]):
        window.close()
    assert not window.isVisible()
    assert "n'ont pas pu être enregistrées" in seen[0] and "utilisé par un autre programme" in seen[0]
    assert _title_on_disk(store_path, catalog, uuid) == "Tapé juste avant de fermer"


def test_closing_when_the_last_write_fails_can_stay_open(qtbot: QtBot, locked_window: tuple) -> None:
    window, uuid, lock = locked_window

    def stay(box: QMessageBox) -> None:
        click_button(box, "Ne pas &fermer")

    with ModalAnswerer(qtbot, [stay]):
        window.close()
    assert window.isVisible() and window.controller.has_pending()
    assert window.saved_label.text() == "Non enregistré"
    assert window.controller.action(uuid).title == "Tapé juste avant de fermer"
    lock.release()
    window.close()  # the lock is gone: closing now writes and closes
    assert not window.isVisible()


def test_closing_when_the_last_write_fails_can_export_what_is_on_screen(
    qtbot: QtBot, locked_window: tuple, tmp_path: Path, store_path: Path, catalog: EditionCatalog
) -> None:
    window, uuid, lock = locked_window
    target = tmp_path / "secours.json"

    def export(box: QMessageBox) -> None:
        click_button(box, "&Exporter le dossier…")

    with ModalAnswerer(qtbot, [export, save_as(target)]):
        window.close()
    assert not window.isVisible()
    doc = read_document(target)
    assert [a["title"] for a in doc["actions"]] == ["Tapé juste avant de fermer"]
    lock.release()
    assert _title_on_disk(store_path, catalog, uuid) != "Tapé juste avant de fermer"  # as she chose


def test_closing_when_the_last_write_fails_can_quit_without_saving(
    qtbot: QtBot, locked_window: tuple, store_path: Path, catalog: EditionCatalog
) -> None:
    window, uuid, lock = locked_window

    with ModalAnswerer(qtbot, [quit_without_saving]):
        window.close()
    assert not window.isVisible()
    lock.release()
    assert _title_on_disk(store_path, catalog, uuid) == "Atelier numérique n° 1"


# ---------------------------------------------------------------------- point 11: frozen means frozen


def test_a_validated_dossier_refuses_undo_and_attachments_and_stays_validated(
    qtbot: QtBot, filled: Workspace, runner: TaskRunner, tmp_path: Path
) -> None:
    ctl = _controller(filled, runner)
    first = ctl.dossier.actions[0].uuid
    ctl.delete_action(first)
    assert ctl.can_undo()
    validated: list[object] = []
    ctl.validate(validated.append, lambda exc: pytest.fail(str(exc)))
    wait_idle(qtbot, runner)
    assert validated and ctl.read_only
    assert not ctl.can_undo() and ctl.undo_delete() is None  # validating cleared the undo stack
    photo = tmp_path / "photo.txt"
    photo.write_text("x", encoding="utf-8")
    errors: list[str] = []
    ctl.save_failed.connect(errors.append)
    second = ctl.dossier.actions[0].uuid
    ctl.add_attachment(second, photo)
    ctl.remove_attachment(second, "0" * 64)
    assert ctl.create_action(title="Nouvelle") is None
    ctl.delete_action(second)
    wait_idle(qtbot, runner)
    assert len(errors) == 4 and all("Modifier (nouvelle révision)" in e for e in errors)
    data = filled.load(ED)
    assert (data.state, data.revision, len(data.actions)) == ("valide", 1, 1)
    assert ctl.dossier.state == "valide" and len(ctl.dossier.actions) == 1


# ---------------------------------------------------------------------- point 12: a reload merges


def test_a_reload_keeps_what_is_being_typed(qtbot: QtBot, make_window: WindowFactory, filled: Workspace) -> None:
    window = make_window(filled)
    ctl = window.controller
    uuid = ctl.dossier.actions[0].uuid
    window.view.navigate(f"action:{uuid}")
    field = window.view.actions_page.editor.widgets["synthesis"]
    field.setFocus()
    qtbot.keyClicks(field, "Avant ")
    ctl.save_pending()  # being written while the reload runs
    qtbot.keyClicks(field, "pendant")  # still queued when the reload answers
    with qtbot.waitSignal(ctl.loaded, timeout=5_000):
        ctl.load()  # e.g. after importing contributions
    assert field.toPlainText().startswith("Avant pendant")
    assert ctl.action(uuid).synthesis.startswith("Avant pendant")
    ctl.save_pending()
    wait_idle(qtbot, window.runner)
    assert filled.load(ED).action(uuid).synthesis.startswith("Avant pendant")


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_a_dossier_not_yet_read_takes_no_edit_and_is_read_again_when_the_file_is_free(
    qtbot: QtBot, short_busy_timeout: None, store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    """Started while another program holds the file: nothing typed on the empty screen overwrites the file."""
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 2)))
        runner = TaskRunner()
        ctl = DossierController(ws, runner)
        failures: list[str] = []
        ctl.load_failed.connect(failures.append)
        lock = Lock(store_path)
        try:
            ctl.load()
            qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
            assert "utilisé par un autre programme" in failures[0]
            refused: list[str] = []
            ctl.save_failed.connect(refused.append)
            assert not ctl.set_profile_field("name", "Tapé sur un écran vide")
            assert ctl.create_action(title="Sur un écran vide") is None
            assert len(refused) == 2 and "pas encore pu être lu" in refused[0]
        finally:
            lock.release()
        with qtbot.waitSignal(ctl.loaded, timeout=RETRY_DELAY_MS + 5_000):  # read again by itself
            pass
        assert len(ctl.dossier.actions) == 2 and ctl.profile.name == "Saint-Aubin-des-Landes"
        assert ctl.set_profile_field("name", "Enfin")
        ctl.save_pending()
        wait_idle(qtbot, runner)
        assert ws.profile().name == "Enfin"
        runner.shutdown()


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_retry_then_stay_keeps_retrying_by_itself(qtbot: QtBot, locked_window: tuple) -> None:
    """Found using it: after a failed "Réessayer", staying open must not stop the automatic retries."""
    window, uuid, lock = locked_window

    def retry(box: QMessageBox) -> None:
        click_button(box, "&Réessayer")

    def stay(box: QMessageBox) -> None:
        click_button(box, "Ne pas &fermer")

    with ModalAnswerer(qtbot, [retry, stay]):
        window.close()
    assert window.isVisible() and window.controller.has_pending()
    lock.release()
    with qtbot.waitSignal(window.controller.saved, timeout=RETRY_DELAY_MS + 5_000):
        pass
    wait_idle(qtbot, window.runner)
    assert window.workspace.load(ED).action(uuid).title == "Tapé juste avant de fermer"
