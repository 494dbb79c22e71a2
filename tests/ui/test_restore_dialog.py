"""Fichier › Restaurer une sauvegarde…: the list read from the backup files, the plain-words question, and a
restore that writes the pending edits first, keeps the current file as a backup and reopens the window;
and the backup of each new day taken while the window stays open."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from localdb.backups import list_files
from tests.factories import FIXED_NOW, complete_dossier, damage_middle_pages, fixed_clock
from tests.ui.helpers import WindowFactory, visible_windows, wait_idle
from ui.application import keep_daily_backups
from ui.dialogs.restore_dialog import NO_BACKUP, RestoreDialog
from ui.main_window import MainWindow
from ui.qt import QMessageBox, Qt

TYPED = "Tapé juste avant la restauration."


def synthesis_in(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT synthesis FROM action ORDER BY position LIMIT 1").fetchone()[0])


@pytest.fixture
def backed_up(store_path: Path, catalog: EditionCatalog, edition: Edition) -> Path:
    """A store of 3 actions and its backup of the day (taken when it is opened again)."""
    with Workspace.open(store_path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, 3)))
    Workspace.open(store_path, catalog, clock=fixed_clock).close()
    [daily] = list_files(store_path)
    return daily.path


def open_dialog(qtbot: QtBot, window: MainWindow) -> RestoreDialog:
    assert window.restore_action in window.menuBar().actions()[0].menu().actions()  # Fichier menu
    window.restore_action.trigger()
    (dialog,) = visible_windows(RestoreDialog)
    with qtbot.waitSignal(dialog.listed, timeout=10_000):
        pass
    return dialog


def button(box: QMessageBox, role: QMessageBox.ButtonRole):  # type: ignore[no-untyped-def]
    return next(b for b in box.buttons() if box.buttonRole(b) == role)


def test_restoring_a_backup_from_the_window(
    qtbot: QtBot, make_window: WindowFactory, store_path: Path, catalog: EditionCatalog, backed_up: Path
) -> None:
    window = make_window(Workspace.open(store_path, catalog, clock=fixed_clock))
    original = window.controller.dossier.actions[0]
    old_workspace = window.workspace
    assert window.controller.set_action_field(original.uuid, "synthesis", TYPED)
    assert window.controller.has_pending  # typed a moment ago, not written yet

    dialog = open_dialog(qtbot, window)
    assert dialog.model.rowCount() == 1
    cells = [dialog.model.index(0, c).data() for c in range(4)]
    assert cells[0] == "1" and cells[1] == "23/11/2026 à " + cells[1][-5:] and cells[2] == "Quotidienne"
    assert cells[3] == "dossier 2019\u00a0: brouillon, révision 1, 3 actions"
    assert dialog.selected() is not None and dialog.restore_button.isEnabled()

    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert cells[1] in box.text() and "3 actions" in box.text()
    assert "disparaîtra de l'écran" in box.text() and "Rien n'est perdu" in box.text()
    assert button(box, QMessageBox.ButtonRole.RejectRole) is box.defaultButton()  # Entrée does not restore
    with qtbot.waitSignal(window.dossier_ready, timeout=10_000):
        qtbot.mouseClick(button(box, QMessageBox.ButtonRole.AcceptRole), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.runner)

    assert window.workspace is not old_workspace and window.workspace.path == store_path
    assert window.controller.dossier.actions[0].synthesis == original.synthesis
    assert synthesis_in(store_path) == original.synthesis
    # What was typed just before was written first, into the file kept as a backup.
    [kept] = [b.path for b in list_files(store_path) if b.kind == "avant-restauration"]
    assert synthesis_in(kept) == TYPED
    (info,) = [b for b in visible_windows(QMessageBox) if "a été remise en place" in b.text()]
    assert kept.name in info.text()
    assert not visible_windows(RestoreDialog)


def test_cancelling_changes_nothing(
    qtbot: QtBot, make_window: WindowFactory, store_path: Path, catalog: EditionCatalog, backed_up: Path
) -> None:
    window = make_window(Workspace.open(store_path, catalog, clock=fixed_clock))
    workspace = window.workspace
    uuid = window.controller.dossier.actions[0].uuid
    window.controller.set_action_field(uuid, "synthesis", TYPED)
    dialog = open_dialog(qtbot, window)
    box = dialog.ask_restore()
    assert box is not None
    qtbot.mouseClick(button(box, QMessageBox.ButtonRole.RejectRole), Qt.MouseButton.LeftButton)
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    assert window.workspace is workspace
    assert synthesis_in(store_path) == TYPED
    assert [b.kind for b in list_files(store_path)] == ["quotidienne"]


def test_a_file_without_backup_says_when_the_first_will_be_taken(
    qtbot: QtBot, make_window: WindowFactory, ws: Workspace
) -> None:
    window = make_window(ws)
    dialog = open_dialog(qtbot, window)
    assert dialog.model.rowCount() == 0
    assert dialog.status_label.text() == NO_BACKUP
    assert not dialog.restore_button.isEnabled()
    assert dialog.ask_restore() is None


def test_a_file_another_program_holds_is_not_restored_and_the_window_goes_on(
    qtbot: QtBot,
    make_window: WindowFactory,
    store_path: Path,
    catalog: EditionCatalog,
    backed_up: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")
    window = make_window(Workspace.open(store_path, catalog, clock=fixed_clock))
    workspace = window.workspace
    uuid = window.controller.dossier.actions[0].uuid
    window.controller.set_action_field(uuid, "synthesis", TYPED)
    dialog = open_dialog(qtbot, window)
    with closing(sqlite3.connect(store_path)) as other:  # another Arobase window on the same file
        other.execute("SELECT count(*) FROM action").fetchall()
        box = dialog.ask_restore()
        assert box is not None
        with qtbot.waitSignal(dialog.failed, timeout=10_000) as failed:
            qtbot.mouseClick(button(box, QMessageBox.ButtonRole.AcceptRole), Qt.MouseButton.LeftButton)
    assert "utilisé par un autre programme" in failed.args[0]
    assert dialog.status_label.text() == failed.args[0]
    assert dialog.isVisible() and dialog.restore_button.isEnabled()  # the user may close the other one and retry
    assert window.workspace is workspace
    assert synthesis_in(store_path) == TYPED  # the typed text was written, and nothing was replaced
    window.controller.set_action_field(uuid, "synthesis", TYPED + " Encore.")
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    assert synthesis_in(store_path) == TYPED + " Encore."  # the window still writes to its file


def test_a_window_left_open_takes_the_backup_of_each_new_day(
    qtbot: QtBot, make_window: WindowFactory, store_path: Path, catalog: EditionCatalog, backed_up: Path
) -> None:
    now = {"t": FIXED_NOW}
    window = make_window(Workspace.open(store_path, catalog, clock=lambda: now["t"]))
    timer = keep_daily_backups(window, interval_ms=20)
    qtbot.wait(100)
    wait_idle(qtbot, window.runner)
    assert [b.taken_at for b in list_files(store_path)] == [FIXED_NOW]  # one a day, not one an hour

    now["t"] = FIXED_NOW + timedelta(days=1, hours=2)
    qtbot.waitUntil(lambda: len(list_files(store_path)) == 2, timeout=10_000)
    timer.stop()
    wait_idle(qtbot, window.runner)
    assert [b.taken_at for b in list_files(store_path)] == [now["t"], FIXED_NOW]


def test_opening_a_damaged_file_from_the_window_offers_its_backup(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, catalog: EditionCatalog, backed_up: Path, store_path: Path
) -> None:
    """Fichier › Ouvrir… on a damaged file: the same offer as at start; the open file stays open until then."""
    window = make_window(Workspace.open(tmp_path / "autre.sqlite", catalog, clock=fixed_clock))
    damage_middle_pages(store_path)
    window.open_store_file(store_path)
    qtbot.waitUntil(lambda: any(b.accessibleName() == "Fichier endommagé" for b in visible_windows(QMessageBox)))
    (box,) = [b for b in visible_windows(QMessageBox) if b.accessibleName() == "Fichier endommagé"]
    assert "sauvegarde" in box.text() and window.workspace.path == (tmp_path / "autre.sqlite").absolute()
    with qtbot.waitSignal(window.dossier_ready, timeout=10_000):
        button(box, QMessageBox.ButtonRole.AcceptRole).click()
    wait_idle(qtbot, window.runner)
    assert window.workspace.path == store_path.absolute()
    assert len(window.controller.dossier.actions) == 3
    assert any(p.name.startswith(f"{store_path.stem}.endommage-") for p in store_path.parent.iterdir())
