"""Plain French message boxes, shown without blocking so that callers (and tests) keep control."""

from __future__ import annotations

from pathlib import Path

from ui.qt import QDesktopServices, QMessageBox, Qt, QUrl, QWidget

TITLE = "Arobase"
OPEN_FOLDER = "&Ouvrir le dossier"


def show_warning(parent: QWidget | None, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """Show an expected problem (a French sentence that says what to do), window-modal, non-blocking."""
    box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Message d'Arobase")
    box.button(QMessageBox.StandardButton.Ok).setText("OK")
    box.finished.connect(box.deleteLater)
    box.open()
    return box


def show_file_written(parent: QWidget | None, what: str, path: Path) -> QMessageBox:
    """Say that a file was written and where, with a button that opens its folder (non-blocking).

    ``what`` is the first sentence ("Le PDF du dossier est enregistré."); the full path follows on
    its own line, so that it can be read, selected and copied.
    """
    box = QMessageBox(QMessageBox.Icon.Information, TITLE, f"{what}\n\n{path}", parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a folder name is data, never markup
    box.setAccessibleName("Fichier enregistré")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    open_folder = box.addButton(OPEN_FOLDER, QMessageBox.ButtonRole.ActionRole)
    close = box.addButton("Fermer", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
    box.finished.connect(box.deleteLater)
    box.open()
    return box


def show_blocking_error(text: str) -> None:
    """For start-up failures, when no window exists yet and the program must wait for the user."""
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, text, QMessageBox.StandardButton.Ok)
    box.setAccessibleName("Message d'Arobase")
    box.exec()


def ask_blocking(text: str, yes: str, no: str) -> bool:
    """For start-up questions, before any window exists: True only if the user chose ``yes``."""
    box = QMessageBox(QMessageBox.Icon.Question, TITLE, text, QMessageBox.StandardButton.NoButton)
    box.setAccessibleName("Question d'Arobase")
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    reject = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(accept)
    box.setEscapeButton(reject)
    box.exec()
    return box.clickedButton() is accept
