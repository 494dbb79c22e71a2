"""Fixtures for the widget tests: offscreen Qt, real store files, windows built as the application does."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.edition import EditionCatalog
from app.workspace import Workspace
from tests.factories import fixed_clock
from tests.sync.conftest import server
from tests.ui.helpers import FolderOpener, ModalAnswerer, StoreOpener, WindowFactory, quit_without_saving, wait_idle
from ui.application import build_main_window
from ui.dossier_controller import DossierController
from ui.main_window import MainWindow
from ui.pages.actions_page import ActionsPage
from ui.qt import QApplication, QDesktopServices, QDialog, QEvent, is_alive
from ui.tasks import TaskRunner
from ui.translations import install_qt_translations

# The sync suite's server process, one for the Envoi page's modules (test_send_page, test_send_files) rather
# than one each; test_editions_check imports its own, as it publishes editions the others must not see.
__all__ = ["server"]


@pytest.fixture(scope="session", autouse=True)
def _qt_in_french(qapp: QApplication) -> None:
    """Qt's own texts in French, as ui.application sets them up for the real program."""
    assert install_qt_translations(qapp)


@pytest.fixture(autouse=True)
def _close_dialogs(qapp: QApplication) -> Iterator[None]:
    """A dialog left open by one test must not be found by the next one."""
    yield
    for widget in QApplication.topLevelWidgets():
        if is_alive(widget) and isinstance(widget, QDialog) and widget.isVisible():
            widget.close()
            widget.deleteLater()
    # Delete now what was scheduled for deletion, so that no half-destroyed top-level widget of this test
    # is still listed by QApplication.topLevelWidgets() in the next one (what is left in reference
    # cycles is collected before the next test: tests/conftest.py).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window retries a failed write (or read) by itself after 0.3 s instead of 5: the same timers and
    code path, without each of these tests sitting 5 s idle (set before the controller is built)."""
    import ui.dossier_saving

    monkeypatch.setattr(ui.dossier_saving, "RETRY_DELAY_MS", 300)  # the controller's reload reads it too


@pytest.fixture
def open_store(catalog: EditionCatalog) -> StoreOpener:
    """What the window uses for Fichier › Ouvrir… in tests: the test catalog and the fixed clock."""
    return lambda path: Workspace.open(path, catalog, clock=fixed_clock)


@pytest.fixture
def make_window(qtbot: QtBot, open_store: StoreOpener) -> Iterator[WindowFactory]:
    """Build and show the main window on a workspace, then wait until its background load is on screen.

    At the end each window is closed as the user would close it; should its last write fail (a test
    that left the store locked or read-only), the question it asks is answered "Quitter sans
    enregistrer" so that the run never hangs on a modal dialog.
    """
    windows: list[MainWindow] = []

    def make(workspace: Workspace, **options: Any) -> MainWindow:
        window = build_main_window(workspace, open_store, **options)
        window.show()
        wait_idle(qtbot, window.runner)
        windows.append(window)
        return window

    yield make
    # Not qtbot.addWidget: pytest-qt would close the windows before this answerer is there.
    with ModalAnswerer(qtbot, [quit_without_saving] * 10, require_all=False):
        for window in windows:
            if is_alive(window):
                window.close()
                window.deleteLater()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def make_page(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> Iterator[Callable[[], ActionsPage]]:
    """The actions page on a controller loaded from ``ws``, shown at 1366×768 and active (focus, shortcuts).

    At the end, what is still queued is written before the runner stops, so that no autosave timer of
    this test fires during the next one.
    """
    controllers: list[DossierController] = []

    def make() -> ActionsPage:
        controller = DossierController(ws, runner)
        controller.load_now()
        controllers.append(controller)
        page = ActionsPage(controller, runner)
        controller.setParent(page)
        qtbot.addWidget(page)
        page.resize(1366, 768)
        with qtbot.waitActive(page):
            page.show()
            page.activateWindow()
        return page

    yield make
    for controller in controllers:
        controller.save_pending()
    wait_idle(qtbot, runner)


@pytest.fixture(autouse=True)
def folder_opener() -> Iterator[FolderOpener]:
    """Every "open the folder" of every test lands here, never in a real file manager."""
    opener = FolderOpener()
    QDesktopServices.setUrlHandler("file", opener, "open")
    yield opener
    QDesktopServices.unsetUrlHandler("file")
