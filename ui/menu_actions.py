"""One way to make a menu entry: its text, what it does, its shortcut and its status-bar tip."""

from __future__ import annotations

from collections.abc import Callable

from ui.qt import QAction, QKeySequence, QObject


def menu_action(
    parent: QObject, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None, tip: str = ""
) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    # triggered(bool) carries "checked": never hand it to a slot that takes no argument
    action.triggered.connect(lambda _checked=False: slot())
    return action
