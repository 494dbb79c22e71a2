"""The window on a store shown before it is opened (``app.first_read``): what is typed at once is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.first_read import DeferredWorkspace, first_workspace
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import WindowFactory, wait_idle
from ui.application import build_main_window, open_store_when_shown
from ui.dossier_controller import NOT_READ


def _store(path: Path, catalog: EditionCatalog, edition: Edition, n: int = 30) -> None:
    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition, n)))


def test_typing_before_the_store_is_open_is_written(
    qtbot: QtBot, make_window: WindowFactory, store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    _store(store_path, catalog, edition)
    ws = first_workspace(store_path, catalog)
    assert isinstance(ws, DeferredWorkspace)
    window = make_window(ws)  # type: ignore[arg-type]
    assert not ws.is_open  # the pages hold the dossier, the store is not open yet
    assert len(window.controller.dossier.actions) == 30
    assert window.controller.set_profile_field("name", "Vitré")
    first = window.controller.dossier.actions[0].uuid
    assert window.controller.set_action_field(first, "title", "Tiers-lieu")
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    assert ws.is_open and not window.controller.has_pending()
    window.close()
    with Workspace.open(store_path, catalog) as again:
        data = again.open_dossier(edition.id)
    assert data.profile.name == "Vitré" and data.actions[0].title == "Tiers-lieu"


def test_the_window_is_built_full_and_the_store_opens_once_it_shows(
    qtbot: QtBot, store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    """As ``ui.application.run`` does: the pages hold the dossier read at start as soon as the window is built
    (it is shown once, full), the store is not open then, and opens on the turn of the event loop after."""
    _store(store_path, catalog, edition, n=3)
    ws = first_workspace(store_path, catalog)
    assert isinstance(ws, DeferredWorkspace)
    window = build_main_window(ws, lambda p: Workspace.open(p, catalog))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    assert window.dossier_is_ready and len(window.controller.dossier.actions) == 3
    assert window.view.stack.currentWidget() in window.view.built_pages().values()  # built before it shows
    ran: list[bool] = []
    window.when_dossier_ready(lambda: ran.append(ws.is_open))  # already ready: on the next turn, not now
    open_store_when_shown(window)
    assert ran == [] and not ws.is_open
    window.show()
    qtbot.waitUntil(lambda: ws.is_open)
    assert ran == [False]  # queued before the store's opening
    wait_idle(qtbot, window.runner)
    window.close()


def test_nothing_is_written_before_the_first_read(
    qtbot: QtBot, store_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    """The controller's rule holds on a store read by the worker: until the dossier is on screen, an edit is
    refused (said), never written."""
    _store(store_path, catalog, edition, n=3)
    ws = Workspace.open(store_path, catalog)
    window = build_main_window(ws, lambda p: Workspace.open(p, catalog))
    qtbot.addWidget(window)
    assert not window.dossier_is_ready
    with qtbot.waitSignal(window.controller.save_failed) as failed:
        assert not window.controller.set_profile_field("name", "Trop tôt")  # before the load is delivered
    assert failed.args == [NOT_READ]
    ran: list[bool] = []
    window.when_dossier_ready(lambda: ran.append(window.dossier_is_ready))
    with qtbot.waitSignal(window.dossier_ready):
        window.show()
    qtbot.waitUntil(lambda: ran == [True])
    window.close()
    with Workspace.open(store_path, catalog) as again:
        assert again.profile().name == "Saint-Aubin-des-Landes"


@pytest.mark.usefixtures("quick_retries")  # the retry after 0.3 s, not 5
def test_a_store_locked_when_it_opens_keeps_the_edit_and_writes_it_later(
    qtbot: QtBot,
    make_window: WindowFactory,
    store_path: Path,
    catalog: EditionCatalog,
    edition: Edition,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "300")
    _store(store_path, catalog, edition, n=3)
    ws = first_workspace(store_path, catalog)
    assert isinstance(ws, DeferredWorkspace)
    window = make_window(ws)  # type: ignore[arg-type]
    holder = sqlite3.connect(store_path, isolation_level=None, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE collectivity SET name = name")
    try:
        with qtbot.waitSignal(window.controller.save_failed, timeout=20_000):
            assert window.controller.set_profile_field("name", "Vitré")
            window.controller.save_pending()
        assert window.controller.has_pending()  # kept, to retry
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with qtbot.waitSignal(window.controller.saved, timeout=20_000):
        pass  # the retry, by itself (0.3 s later here, 5 s in the program)
    assert not window.controller.has_pending()
    window.close()
    with Workspace.open(store_path, catalog) as again:
        assert again.profile().name == "Vitré"
