"""Small helpers shared by the widget tests (waiting, finding top-level windows)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pytestqt.qtbot import QtBot

from app.workspace import Workspace
from ui.main_window import MainWindow
from ui.qt import QApplication, QWidget, is_alive
from ui.tasks import TaskRunner

W = TypeVar("W", bound=QWidget)
StoreOpener = Callable[[Path], Workspace]
WindowFactory = Callable[[Workspace], MainWindow]


def wait_idle(qtbot: QtBot, runner: TaskRunner, timeout: int = 10_000) -> None:
    """Wait until every queued job has run and its callback was delivered on the GUI thread."""
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)


def visible_windows(kind: type[W]) -> list[W]:
    """Visible top-level widgets of a kind: dialogs opened by the code under test, without exec()."""
    return [w for w in QApplication.topLevelWidgets() if is_alive(w) and isinstance(w, kind) and w.isVisible()]
