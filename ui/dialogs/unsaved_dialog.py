"""Closing while the last edits cannot be written: retry, export them from memory, or quit knowingly.

The window stays open until the user chooses; nothing typed is dropped without her saying so. The export
writes the dossier as it is on screen (memory), since the store is exactly what is failing.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from app.errors import ArobaseError
from app.interchange import to_document, write_document
from app.workspace import GENERATOR
from ui.dossier_controller import DossierController
from ui.file_dialogs import DOSSIER_FILTER, documents_folder
from ui.qt import QFileDialog, QMessageBox, QWidget


class Choice(Enum):
    RETRY = "retry"
    EXPORT = "export"
    QUIT = "quit"
    STAY = "stay"


def ask_unsaved(parent: QWidget, reason: str) -> Choice:
    """Ask, modally, what to do with edits that could not be written."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Modifications non enregistrées")
    box.setAccessibleName("Modifications non enregistrées")
    box.setText("Vos dernières modifications n'ont pas pu être enregistrées dans le fichier.")
    box.setInformativeText(
        f"{reason}\n\nRéessayez une fois le problème réglé, ou exportez le dossier tel qu'il est affiché "
        "dans un fichier pour ne rien perdre. «\u00a0Quitter sans enregistrer\u00a0» abandonne ces modifications."
    )
    buttons = {
        box.addButton("&Réessayer", QMessageBox.ButtonRole.AcceptRole): Choice.RETRY,
        box.addButton("&Exporter le dossier…", QMessageBox.ButtonRole.ActionRole): Choice.EXPORT,
        box.addButton("&Quitter sans enregistrer", QMessageBox.ButtonRole.DestructiveRole): Choice.QUIT,
        box.addButton("Ne pas &fermer", QMessageBox.ButtonRole.RejectRole): Choice.STAY,
    }
    retry = next(b for b, c in buttons.items() if c is Choice.RETRY)
    box.setDefaultButton(retry)
    box.exec()
    return buttons.get(box.clickedButton(), Choice.STAY)


def export_from_memory(parent: QWidget, controller: DossierController) -> Path | None:
    """Write the dossier on screen, pending edits included, to a file the user chooses."""
    suggested = documents_folder() / f"dossier-{controller.edition.id}-non-enregistre.json"
    name, _ = QFileDialog.getSaveFileName(parent, "Exporter le dossier affiché", str(suggested), DOSSIER_FILTER)
    if not name:
        return None
    path = Path(name) if Path(name).suffix else Path(name).with_suffix(".json")
    doc = to_document(controller.dossier, exported_at=controller.clock(), generator=GENERATOR)
    try:
        write_document(doc, path)
    except ArobaseError as exc:
        QMessageBox.warning(parent, "Arobase", exc.message)
        return None
    return path
