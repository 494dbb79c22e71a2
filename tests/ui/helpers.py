"""Small helpers shared by the widget tests (waiting, finding top-level windows)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pytestqt.qtbot import QtBot

from app.workspace import Workspace
from ui.main_window import MainWindow
from ui.qt import QApplication, QDialog, QFileDialog, QObject, Qt, QTimer, QUrl, QWidget, Slot, is_alive
from ui.tasks import TaskRunner

W = TypeVar("W", bound=QWidget)
StoreOpener = Callable[[Path], Workspace]
WindowFactory = Callable[..., MainWindow]  # (workspace, **build_main_window options)


def wait_idle(qtbot: QtBot, runner: TaskRunner, timeout: int = 10_000) -> None:
    """Wait until every queued job has run and its callback was delivered on the GUI thread."""
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)


def key_clicks(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """qtbot.keyClicks, also for accented letters (QTest only knows ASCII keys)."""
    from ui.qt import QEvent, QKeyEvent, Qt

    for char in text:
        if char.isascii():
            qtbot.keyClick(widget, char)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def visible_windows(kind: type[W]) -> list[W]:
    """Visible top-level widgets of a kind: dialogs opened by the code under test, without exec()."""
    return [w for w in QApplication.topLevelWidgets() if is_alive(w) and isinstance(w, kind) and w.isVisible()]


def shown_host(qtbot: QtBot) -> QWidget:
    """A visible parent for a dialog under test (the caller holds it: the dialog is its child)."""
    host = QWidget()
    qtbot.addWidget(host)
    host.show()
    return host


def tab_controls(page: QWidget) -> list[QWidget]:
    """The enabled controls of ``page`` that Tab can reach once it is shown."""
    return [
        w
        for w in page.findChildren(QWidget)
        if w.isVisibleTo(page) and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isEnabled()
    ]


class ModalAnswerer:
    """Answers the modal dialogs the code under test opens (``exec()``): the real dialogs, built and shown.

    A ``QTimer`` polls ``QApplication.activeModalWidget()`` from inside whatever nested event loop the
    dialog's ``exec()`` runs and hands each newly shown modal widget to the next of ``handlers``, in order:
    ``with ModalAnswerer(qtbot, [click_retry, choose_file]): window.close()``; leaving the block fails the test if
    a handler was not used (unless ``require_all=False``). Once the handlers are used up, ``dismiss=True``
    rejects every further modal dialog as "Annuler" would (file, message, print boxes: nothing waits on a
    user), after showing it to ``inspect``; ``dismissed`` lists their class names in order and ``folders``
    the folder each dismissed file dialog opened in. ``close_new_windows()`` also dismisses every other
    top-level window opened since ``start()``.
    """

    def __init__(
        self,
        qtbot: QtBot,
        handlers: list[Callable[..., object]] | None = None,
        interval_ms: int = 20,
        *,
        require_all: bool = True,
        dismiss: bool = False,
        inspect: Callable[[QWidget], object] | None = None,
    ) -> None:
        del qtbot  # taken so that every call reads ModalAnswerer(qtbot, ...), as the tests have always written it
        self._handlers = list(handlers or ())
        self._require_all = require_all
        self._dismiss_rest = dismiss
        self.inspect = inspect  # called with each dismissed dialog before it is dismissed
        self.dismissed: list[str] = []
        self.folders: list[Path] = []
        self._answered: list[QWidget] = []  # held: a wrapper's identity is only stable while held
        self._before: list[QWidget] = []
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._poll)

    def start(self) -> ModalAnswerer:
        self._before = list(QApplication.topLevelWidgets())
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.stop()

    def __enter__(self) -> ModalAnswerer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if exc[0] is None and self._require_all:
            assert not self._handlers, f"{len(self._handlers)} dialogue(s) attendu(s) jamais apparu(s)"

    def _poll(self) -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or not is_alive(widget) or not widget.isVisible():
            return
        if any(widget is w for w in self._answered):
            return  # a handler has it: its answer may close it a moment later
        if self._handlers:
            self._answered.append(widget)
            self._handlers.pop(0)(widget)
        elif self._dismiss_rest:
            self._dismiss(widget)

    def _dismiss(self, widget: QWidget) -> None:
        self.dismissed.append(type(widget).__name__)
        if self.inspect is not None:
            self.inspect(widget)
        if isinstance(widget, QFileDialog):
            self.folders.append(Path(widget.directory().absolutePath()))
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()

    def close_new_windows(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if is_alive(widget) and widget.isVisible() and not any(widget is w for w in self._before):
                self._dismiss(widget)  # a dialog, a preview, any window an action opened


def click_button(box: QWidget, text: str) -> None:
    """Click the push button of a dialog that shows ``text`` (with its ``&`` shortcut marker)."""
    from ui.qt import QAbstractButton

    buttons = [b for b in box.findChildren(QAbstractButton) if b.text() == text]
    assert buttons, f"pas de bouton « {text} » dans {box.windowTitle()!r}"
    buttons[0].click()


def quit_without_saving(box: QWidget) -> None:
    """The answer to "Modifications non enregistrées" that lets a test's window close."""
    if box.windowTitle() == "Modifications non enregistrées":
        click_button(box, "&Quitter sans enregistrer")
    else:
        box.close()


def save_as(path: Path) -> Callable[[QWidget], None]:
    """A ModalAnswerer handler: type ``path`` into Qt's own file dialog and accept it."""

    def answer(dialog: QWidget) -> None:
        from ui.qt import QFileDialog, QLineEdit

        assert isinstance(dialog, QFileDialog), f"dialogue inattendu : {dialog.windowTitle()!r}"
        name_edit = dialog.findChild(QLineEdit, "fileNameEdit")  # selectFile() is overridden once shown
        name_edit.setText(str(path))
        dialog.accept()

    return answer


class FolderOpener(QObject):
    """Receives the URLs Qt would hand to the file manager (QDesktopServices.setUrlHandler)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())
