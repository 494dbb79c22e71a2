"""Every menu entry and every shortcut of the main window, on a draft, a validated dossier and a new file.

The actions are found by walking the menu bar and the window's QActions and QShortcuts at test time,
so an entry added later is covered without a new test. Dialogs they open are real and are dismissed
as "Annuler" would (ModalAnswerer); any exception that reaches the exception hook fails the test.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier
from tests.ui.helpers import ModalAnswerer, StoreOpener, wait_idle
from ui.application import build_main_window
from ui.main_window import MainWindow
from ui.qt import QAction, QApplication, QKeySequence, QMenu, QMenuBar, QShortcut, is_alive

SCENARIOS = ("brouillon", "validé", "fichier vide")


@pytest.fixture(params=SCENARIOS)
def window(
    request: pytest.FixtureRequest, qtbot: QtBot, ws: Workspace, edition: Edition, open_store: StoreOpener
) -> Iterator[MainWindow]:
    if request.param != "fichier vide":
        ws.import_document(to_document(complete_dossier(edition, n_actions=3)))
    if request.param == "validé":
        ws.validate(edition.id)
    win = build_main_window(ws, open_store)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    with qtbot.waitSignal(win.dossier_ready, timeout=10_000):
        win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    wait_idle(qtbot, win.runner)
    yield win


def menu_actions(bar: QMenuBar | QMenu) -> Iterator[QAction]:
    for action in bar.actions():
        if action.menu() is not None:
            yield from menu_actions(action.menu())
        elif not action.isSeparator():
            yield action


def all_actions(window: MainWindow) -> list[QAction]:
    """Menu entries first (in menu order), then every other QAction of the window; no duplicates."""
    found: list[QAction] = []
    for action in [*menu_actions(window.menuBar()), *window.findChildren(QAction)]:
        if action.menu() is None and not action.isSeparator() and not any(action is a for a in found):
            found.append(action)
    return found


def key_sequences(window: MainWindow) -> list[tuple[str, QKeySequence, QAction | QShortcut]]:
    """(what it is called, key sequence, its QAction or QShortcut) for every shortcut of the window."""
    keys: list[tuple[str, QKeySequence, QAction | QShortcut]] = []
    for action in all_actions(window):
        keys += [(action.text(), seq, action) for seq in action.shortcuts() if not seq.isEmpty()]
    for shortcut in window.findChildren(QShortcut):
        name = f"QShortcut {shortcut.objectName()}"
        keys += [(name, seq, shortcut) for seq in list(shortcut.keys()) if not seq.isEmpty()]
    return keys


class HookWatch:
    """What reached the exception hook, as (what was being done, formatted traceback)."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.failures: list[str] = []

    def run(self, what: str, do: object, window: MainWindow, closer: ModalAnswerer) -> None:
        with self.qtbot.capture_exceptions() as caught:
            do()  # type: ignore[operator]
            wait_idle(self.qtbot, window.runner, timeout=30_000)
            self.qtbot.wait(30)  # queued callbacks, dialogs opened after a job (save the PDF once built)
            wait_idle(self.qtbot, window.runner, timeout=30_000)
            closer.close_new_windows()
        for _type, exc, tb in caught:
            self.failures.append(f"{what}:\n{''.join(traceback.format_exception(type(exc), exc, tb))}")


def test_every_action_and_shortcut_runs_without_error(qtbot: QtBot, window: MainWindow) -> None:
    closer = ModalAnswerer(qtbot, dismiss=True).start()
    watch = HookWatch(qtbot)
    try:
        actions = all_actions(window)
        assert len(actions) > 20  # the walk found the menus (Fichier, Édition, Aller à and its themes)
        for action in actions:
            if action is window.quit_action or not is_alive(action):  # rebuilt by an earlier one (a menu refilled)
                continue
            watch.run(f"« {action.text()} »", action.trigger, window, closer)

        keys = key_sequences(window)
        assert {"Ctrl+1", "Ctrl+N", "Ctrl+Q"} <= {seq.toString() for _t, seq, _o in keys}
        quit_key = next(seq for _t, seq, owner in keys if owner is window.quit_action)
        for text, seq, owner in keys:
            if owner is window.quit_action or not is_alive(owner):
                continue
            fired: list[bool] = []
            enabled = owner.isEnabled()
            signal = owner.triggered if isinstance(owner, QAction) else owner.activated
            signal.connect(lambda *_a, f=fired: f.append(True))
            watch.run(f"{seq.toString()} ({text})", lambda s=seq: press(qtbot, window, s), window, closer)
            assert fired or not enabled, f"{seq.toString()} did not reach « {text} »"
        assert closer.dismissed, "the file, print and message dialogs were shown and dismissed"
        assert not watch.failures, "\n\n".join(watch.failures)

        watch.run("Ctrl+Q", lambda: press(qtbot, window, quit_key), window, closer)
        assert not watch.failures, "\n\n".join(watch.failures)
        assert not window.isVisible()
    finally:
        closer.stop()


def press(qtbot: QtBot, window: MainWindow, seq: QKeySequence) -> None:
    """Type the shortcut as a user would, from the navigation tree of the (re)activated window."""
    if QApplication.activeWindow() is not window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    tree = window.view.navigation.view
    tree.setFocus()
    combo = seq[0]
    qtbot.keyClick(tree, combo.key(), combo.keyboardModifiers())


def test_shortcuts_are_unambiguous_and_go_to_entries_navigate(qtbot: QtBot, window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for text, seq, _owner in key_sequences(window):
        key = seq.toString()
        assert key not in seen, f"{key} means both « {seen[key]} » and « {text} »"
        seen[key] = text
    assert seen["Ctrl+N"] == "&Nouvelle action"

    go = [a for a in menu_actions(window.go_menu) if a.isVisible()]
    themes = window.controller.edition.themes
    assert len(go) == 1 + sum(len(t.subthemes) for t in themes) + 4
    for action in go:
        with qtbot.capture_exceptions() as caught:
            action.trigger()
        assert not caught, action.text()
    press(qtbot, window, QKeySequence("Ctrl+3"))
    assert window.view.current_target == "mosaic"
    last = themes[-1].subthemes[-1]
    next(a for a in go if a.text() == last.title.replace("&", "&&")).trigger()
    assert window.view.current_target == f"subtheme:{last.id}"
