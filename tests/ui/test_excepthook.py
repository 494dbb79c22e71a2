"""The global exception hook: unexpected errors get a copyable dialog and a log line, expected ones a plain box."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from localdb.store import StoreUnreadable
from tests.factories import fixed_clock
from tests.ui.helpers import visible_windows
from ui.error_dialog import ErrorDialog
from ui.excepthook import ErrorReporter
from ui.qt import QApplication, QGuiApplication, QLabel, QMessageBox, Qt


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "journaux" / "erreurs.log"


@pytest.fixture
def reporter(log_path: Path) -> Iterator[ErrorReporter]:
    hook = ErrorReporter(log_path, clock=fixed_clock)
    hook.install()
    yield hook
    hook.uninstall()


def raise_and_hook(exc: BaseException) -> None:
    """Raise for real (so there is a traceback), then hand it to whatever ``sys.excepthook`` is."""
    try:
        raise exc
    except BaseException as caught:
        sys.excepthook(type(caught), caught, caught.__traceback__)


def test_install_replaces_both_hooks_and_uninstall_restores_them(log_path: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    hook = ErrorReporter(log_path)
    hook.install()
    assert (sys.excepthook, threading.excepthook) == (hook.excepthook, hook.thread_excepthook)
    hook.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_unexpected_error_shows_dialog_with_copyable_details_and_is_logged(
    qtbot: QtBot, reporter: ErrorReporter, log_path: Path
) -> None:
    raise_and_hook(ValueError("valeur cassée n° 123"))

    dialogs = visible_windows(ErrorDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    explanation = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Une erreur inattendue s'est produite." in explanation
    assert str(log_path) in explanation
    assert "valeur cassée n° 123" in dialog.details()
    assert "Traceback" in dialog.details()

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == dialog.details()

    logged = log_path.read_text(encoding="utf-8")
    assert "--- 2026-11-23T10:30:00 ---" in logged
    assert "ValueError: valeur cassée n° 123" in logged

    dialog.close_button.click()
    assert visible_windows(ErrorDialog) == []


def test_second_error_is_added_to_the_open_dialog(reporter: ErrorReporter) -> None:
    raise_and_hook(ValueError("première"))
    raise_and_hook(KeyError("seconde"))

    dialogs = visible_windows(ErrorDialog)
    assert len(dialogs) == 1
    assert "première" in dialogs[0].details() and "seconde" in dialogs[0].details()


def test_expected_error_is_a_plain_message_without_traceback(reporter: ErrorReporter, log_path: Path) -> None:
    raise_and_hook(StoreUnreadable("Le fichier x.sqlite n'est pas une base Arobase lisible. Ouvrez-en un autre."))

    assert visible_windows(ErrorDialog) == []
    boxes = visible_windows(QMessageBox)
    assert [b.text() for b in boxes] == ["Le fichier x.sqlite n'est pas une base Arobase lisible. Ouvrez-en un autre."]
    assert not log_path.exists()


def test_error_in_another_thread_is_shown_on_the_gui_thread(qtbot: QtBot, reporter: ErrorReporter) -> None:
    def work() -> None:
        raise RuntimeError("panne dans un fil")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(visible_windows(ErrorDialog)), timeout=10_000)

    dialog = visible_windows(ErrorDialog)[0]
    assert "panne dans un fil" in dialog.details()
    assert dialog.thread() is QApplication.instance().thread()


def test_hook_survives_an_unwritable_log_and_a_missing_exception_value(tmp_path: Path) -> None:
    not_a_file = tmp_path / "dossier"
    not_a_file.mkdir()
    hook = ErrorReporter(not_a_file)

    hook.excepthook(ValueError, None, None)  # what C code may hand over

    dialogs = visible_windows(ErrorDialog)
    assert len(dialogs) == 1
    assert "ValueError" in dialogs[0].details()
    explanation = " ".join(label.text() for label in dialogs[0].findChildren(QLabel))
    assert str(not_a_file) not in explanation  # no promise of a log file that could not be written


class Reentrant(Exception):
    """An error whose text cannot be computed without raising another error into the hook."""

    def __str__(self) -> str:
        raise_and_hook(Reentrant())
        return "erreur réentrante"


def test_error_raised_while_handling_an_error_does_not_recurse(
    reporter: ErrorReporter, capfd: pytest.CaptureFixture[str]
) -> None:
    raise_and_hook(Reentrant())

    dialogs = visible_windows(ErrorDialog)
    assert len(dialogs) == 1
    assert "erreur réentrante" in dialogs[0].details()
    assert "arobase : erreur inattendue (Reentrant)" in capfd.readouterr().err


def test_failure_message_says_the_error_or_reports_the_bug(reporter: ErrorReporter, log_path: Path) -> None:
    from app.errors import InvalidInput
    from ui.excepthook import failure_message

    assert failure_message(InvalidInput("Le fichier est introuvable."), "inattendu") == "Le fichier est introuvable."
    assert visible_windows(ErrorDialog) == [] and not log_path.exists()  # an expected error is not a bug
    try:
        raise ValueError("valeur cassée")
    except ValueError as exc:
        assert failure_message(exc, "La restauration a échoué.") == "La restauration a échoué."
    assert "ValueError: valeur cassée" in log_path.read_text(encoding="utf-8")  # the bug went to the hook
    for dialog in visible_windows(ErrorDialog):
        dialog.close()
