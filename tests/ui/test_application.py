"""Start-up: the store cannot be opened (French message, exit code 2), and the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ui.application import EXIT_INPUT, EXIT_OK, QUIT_AFTER_ENV, run
from ui.qt import QApplication

GARBAGE = "ceci n'est pas une base de données\n" * 20


@pytest.fixture
def garbage_store(tmp_path: Path) -> Path:
    path = tmp_path / "x.sqlite"
    path.write_text(GARBAGE, encoding="utf-8")
    return path


def test_unreadable_store_shows_french_message_and_exits_2(qtbot: QtBot, garbage_store: Path, tmp_path: Path) -> None:
    hooks = (sys.excepthook, threading.excepthook)
    messages: list[str] = []

    code = run(garbage_store, show_error=messages.append, environ={}, log_path=tmp_path / "erreurs.log")

    assert code == EXIT_INPUT == 2
    assert len(messages) == 1
    assert "n'est pas une base Arobase" in messages[0]
    assert "Traceback" not in messages[0]
    assert garbage_store.read_text(encoding="utf-8") == GARBAGE  # left untouched
    assert (sys.excepthook, threading.excepthook) == hooks  # the hook is removed on the way out


def test_run_opens_the_window_and_quits_after_the_requested_delay(qtbot: QtBot, tmp_path: Path) -> None:
    store = tmp_path / "nouvelle" / "commune.sqlite"
    messages: list[str] = []

    code = run(store, show_error=messages.append, environ={QUIT_AFTER_ENV: "50"}, log_path=tmp_path / "erreurs.log")

    assert code == EXIT_OK
    assert messages == []
    assert store.exists()
    app = QApplication.instance()
    assert app.applicationName() == "Arobase"
    assert app.organizationName() == "Arobase"


def _arobase(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("arobase")
    if not exe.exists():
        pytest.skip("le script arobase n'est pas installé dans cet environnement")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", QUIT_AFTER_ENV: "300"}
    env.pop("AROBASE_DB", None)
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
    )


def test_entry_point_opens_a_window_and_exits_0(tmp_path: Path) -> None:
    store = tmp_path / "x.sqlite"

    proc = _arobase("--db", str(store), tmp_path=tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert store.exists()
    assert "Traceback" not in proc.stderr


def test_entry_point_with_unreadable_store_exits_2_without_traceback(garbage_store: Path, tmp_path: Path) -> None:
    proc = _arobase("--db", str(garbage_store), tmp_path=tmp_path)

    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_gui_thread_gets_the_interpreter_back_within_a_millisecond(qapp: QApplication) -> None:
    """A worker holding the GIL for Python's default 5 ms at each hand-over stalled the window 80 to 150 ms
    during a PDF build (make bench); the program asks for 1 ms before anything else."""
    from ui.application import GIL_SWITCH_S, configure_application

    sys.setswitchinterval(0.005)
    try:
        assert configure_application(["arobase"]) is qapp
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_S) and GIL_SWITCH_S <= 0.001
    finally:
        sys.setswitchinterval(GIL_SWITCH_S)
