"""Fichier › Exporter le dossier…: the dossier as an ``arobase.dossier`` JSON file, written off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from app.formats import plural
from app.interchange import write_document
from ui.dossier_controller import DossierController
from ui.excepthook import expected_message, report_exception
from ui.file_dialogs import DOSSIER_FILTER, documents_folder
from ui.messages import show_file_written, show_warning
from ui.qt import QFileDialog, QMainWindow
from ui.tasks import TaskRunner


def export_to(window: QMainWindow, controller: DossierController, runner: TaskRunner, target: Path) -> None:
    """Save pending edits, then write the export; the status bar says where it went."""
    ws, edition_id = controller.ws, controller.edition.id
    controller.save_pending()

    def work() -> int:
        doc = ws.export_document(edition_id)
        write_document(doc, target)
        return len(doc["actions"])

    def done(count: int) -> None:
        window.statusBar().showMessage(f"Dossier exporté dans {target} ({plural(count, 'action')}).", 10_000)
        show_file_written(window, f"Le dossier est exporté ({plural(count, 'action')}) dans le fichier :", target)

    def failed(exc: BaseException) -> None:
        message = expected_message(exc)
        if message is None:
            report_exception(exc)
        else:
            show_warning(window, message)

    runner.run(work, done, failed, owner=window)


def export_dossier(window: QMainWindow, controller: DossierController, runner: TaskRunner) -> None:
    profile = controller.profile
    suggested = f"dossier-{controller.edition.id}-{(profile.code or 'collectivite').strip()}.json"
    folder = documents_folder() / suggested
    name, _ = QFileDialog.getSaveFileName(window, "Exporter le dossier", str(folder), DOSSIER_FILTER)
    if name:
        path = Path(name) if Path(name).suffix else Path(name).with_suffix(".json")
        export_to(window, controller, runner, path)
