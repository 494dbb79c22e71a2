"""``ui.messages.ask_question``: the one non-blocking question box (validate, reopen, restore a backup)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.helpers import shown_host
from ui.messages import ask_question
from ui.qt import QMessageBox, Qt


def test_annuler_is_the_default_and_escape_answers_no(qtbot: QtBot) -> None:
    answers: list[str] = []
    parent = shown_host(qtbot)  # held: the box is its child
    box = ask_question(
        parent,
        "Titre",
        "<b>Saint-Aubin</b>",
        "&Oui",
        lambda: answers.append("oui"),
        on_no=lambda: answers.append("non"),
    )
    assert box.isVisible() and box.textFormat() == Qt.TextFormat.PlainText  # the text is never markup
    assert box.defaultButton().text() == "Annuler" and box.accessibleName() == "Titre"
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answers == ["non"])


def test_yes_runs_once_and_can_be_the_default(qtbot: QtBot) -> None:
    answers: list[str] = []
    parent = shown_host(qtbot)  # held: the box is its child
    box = ask_question(
        parent,
        "Fichier endommagé",
        "Restaurer cette sauvegarde ?",
        "&Restaurer la sauvegarde",
        lambda: answers.append("oui"),
        yes_is_default=True,
        accessible_name="Fichier endommagé",
    )
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    assert box.defaultButton() is yes
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answers == ["oui"])
