"""No two keyboard letters (Alt+letter mnemonics) clash on any page: the menu bar's, the navigation's and
the page's buddy labels, buttons, group boxes and tabs each have their own letter.

A clash makes Alt+letter do something else than the underlined letter says (Alt+D opened the Aide menu
instead of going to « Département »). The pages are reached through the window's own navigation, on an
intercommunality's dossier (every field of the criteria page shown) with an action selected.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.workspace import Workspace
from tests.ui.helpers import WindowFactory, wait_idle
from tests.ui.test_accessibility import TARGETS, _epci_window
from ui.qt import QAbstractButton, QGroupBox, QLabel, QSettings, QTabBar, QWidget

_MNEMONIC = re.compile(r"&(.)")


def mnemonic(text: str) -> str | None:
    """The letter Alt+… triggers for a text ("Ai&de" → "D"); "&&" is a plain "&"."""
    for match in _MNEMONIC.finditer(text.replace("&&", "")):
        return match[1].upper()
    return None


def shown_mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Letter → the texts that claim it, for what is on screen now (hidden pages left out) and a menu bar."""
    found: dict[str, list[str]] = defaultdict(list)

    def claim(text: str, where: str) -> None:
        letter = mnemonic(text)
        if letter:
            found[letter].append(f"{where} « {text} »")

    menu_bar = getattr(window, "menuBar", None)  # a dialog has none
    for action in menu_bar().actions() if menu_bar is not None else ():
        if action.isVisible():
            claim(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            claim(widget.text(), "étiquette")
        elif isinstance(widget, QAbstractButton):
            claim(widget.text(), "bouton")
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            claim(widget.title(), "cadre")
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if widget.isTabVisible(i):
                    claim(widget.tabText(i), "onglet")
    return found


def test_mnemonic_finds_the_letter() -> None:
    assert mnemonic("Ai&de") == "D"
    assert mnemonic("&Département :") == "D"
    assert mnemonic("Fichiers && dossiers") is None
    assert mnemonic("Pop&ulation :") == "U"


@pytest.mark.parametrize("target", TARGETS)
def test_no_two_mnemonics_clash_on_a_page(qtbot: QtBot, ws: Workspace, make_window: WindowFactory, target: str) -> None:
    window = _epci_window(ws, make_window)
    window.resize(1366, 768)
    view = window.view
    view.next_steps.show()  # the « Et maintenant ? » panel is above every page until dismissed
    first_action = window.controller.dossier.actions[0].uuid
    assert view.navigate(f"action:{first_action}" if target == "action" else target), target
    wait_idle(qtbot, window.runner)
    found = shown_mnemonics(window)
    assert len(found) > 4, found  # the walk sees the letters (the menu bar's four at least, and the page's)
    # One letter, one text: the same text repeated (« Oui » on every criterion) is one control per row.
    clashes = {letter: sorted(set(texts)) for letter, texts in found.items() if len(set(texts)) > 1}
    assert clashes == {}


def test_no_two_mnemonics_clash_on_a_step_of_the_first_run_assistant(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, tmp_path: Path
) -> None:
    from ui.dialogs.first_run_dialog import FirstRunDialog

    window = make_window(ws)
    settings = QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)
    dialog = FirstRunDialog(window.controller, window.runner, settings, window.view.profile_page.apply_place, window)
    dialog.show()
    clashes: dict[int, dict[str, list[str]]] = {}
    for step in range(3):
        dialog.go_to(step)
        found = shown_mnemonics(dialog)
        assert found, step
        same = {letter: sorted(set(texts)) for letter, texts in found.items() if len(set(texts)) > 1}
        if same:
            clashes[step] = same
    dialog.close()
    assert clashes == {}
