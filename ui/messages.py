"""Plain French message boxes, shown without blocking so that callers (and tests) keep control."""

from __future__ import annotations

from ui.qt import QMessageBox, QWidget

TITLE = "Arobase"


def show_warning(parent: QWidget | None, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """Show an expected problem (a French sentence that says what to do), window-modal, non-blocking."""
    box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Message d'Arobase")
    box.button(QMessageBox.StandardButton.Ok).setText("OK")
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
