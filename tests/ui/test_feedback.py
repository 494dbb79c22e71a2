"""Feedback after writing a file: where it went, and a button that opens its folder."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier
from tests.ui.helpers import FolderOpener, WindowFactory, visible_windows, wait_idle
from ui.dialogs.export import export_to
from ui.dialogs.print_jobs import dossier_job
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.dossier_controller import DossierController
from ui.messages import OPEN_FOLDER
from ui.qt import QMessageBox, Qt
from ui.tasks import TaskRunner


def written_box(qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(lambda: any(b.accessibleName() == "Fichier enregistré" for b in visible_windows(QMessageBox)))
    return next(b for b in visible_windows(QMessageBox) if b.accessibleName() == "Fichier enregistré")


def test_export_says_where_the_file_went_and_opens_its_folder(
    qtbot: QtBot,
    make_window: WindowFactory,
    ws: Workspace,
    edition: Edition,
    tmp_path: Path,
    folder_opener: FolderOpener,
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=2)))
    window = make_window(ws)
    target = tmp_path / "envoi" / "dossier.json"
    target.parent.mkdir()
    export_to(window, window.controller, window.runner, target)
    box = written_box(qtbot)
    assert str(target) in box.text() and "2 actions" in box.text()
    button = next(b for b in box.buttons() if b.text() == OPEN_FOLDER)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert folder_opener.urls == [str(target.parent)]
    assert target.is_file()


def test_saving_the_pdf_says_where_it_went(
    qtbot: QtBot, ws: Workspace, edition: Edition, runner: TaskRunner, tmp_path: Path, folder_opener: FolderOpener
) -> None:
    ws.import_document(to_document(complete_dossier(edition, n_actions=1)))
    controller = DossierController(ws, runner)
    controller.load_now()
    dialog = PrintPreviewDialog(dossier_job(controller), runner)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=30_000):
        dialog.show()
        dialog.generate()
    target = tmp_path / "dossier.pdf"
    dialog.save_to(target)
    box = written_box(qtbot)
    assert "enregistré en PDF" in box.text() and str(target) in box.text()
    next(b for b in box.buttons() if b.text() == OPEN_FOLDER).click()
    assert folder_opener.urls == [str(tmp_path)]
    wait_idle(qtbot, runner)
