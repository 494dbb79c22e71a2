"""Plain French message boxes, shown without blocking so that callers (and tests) keep control."""

from __future__ import annotations

from collections.abc import Callable
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


def ask_question(
    parent: QWidget,
    title: str,
    text: str,
    yes_text: str,
    on_yes: Callable[[], None],
    *,
    on_no: Callable[[], None] | None = None,
    yes_is_default: bool = False,
    accessible_name: str = "",
) -> QMessageBox:
    """A question that changes something, shown without blocking; ``on_yes`` (or ``on_no``) runs once answered.

    « Annuler » is the other answer and Échap gives it; it is the default button too, unless
    ``yes_is_default`` (the damaged file's offer of its backup, where restoring is what the user came for).
    The text is plain text: a file name or a collectivity's name in it is never read as markup.
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAccessibleName(accessible_name or title)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes if yes_is_default else no)
    box.setEscapeButton(no)

    def answered() -> None:
        if box.clickedButton() is yes:
            on_yes()
        elif on_no is not None:
            on_no()

    box.finished.connect(answered)
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
