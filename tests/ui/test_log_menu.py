"""Aide › Ouvrir le dossier des journaux: the user's log folder, created if need be, in the file manager."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.workspace import Workspace
from tests.ui.helpers import FolderOpener, WindowFactory


def test_the_help_menu_opens_the_log_folder(
    qtbot: QtBot,
    make_window: WindowFactory,
    ws: Workspace,
    tmp_path: Path,
    folder_opener: FolderOpener,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # where platformdirs puts user_log_dir
    window = make_window(ws)
    menu_titles = [a.text() for a in window.menuBar().actions()]
    assert "Ai&de" in menu_titles
    assert window.help.logs_action in window.help.menu.actions()
    window.help.logs_action.trigger()
    qtbot.waitUntil(lambda: bool(folder_opener.urls))
    (opened,) = folder_opener.urls
    assert Path(opened) == tmp_path / "state" / "Arobase" / "log"
    assert Path(opened).is_dir()
