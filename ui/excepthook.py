"""The application's last resort: no exception vanishes, none shows a raw traceback to the user.

``ErrorReporter.install()`` replaces ``sys.excepthook`` (GUI thread, Qt slots) and
``threading.excepthook`` (other threads). Expected errors (``ArobaseError``, ``StoreError``) carry a
French sentence and get a plain message box; anything else is appended to ``erreurs.log`` and shown in
an :class:`ErrorDialog` with copyable details. Dialogs are only ever built on the reporter's (GUI)
thread: other threads hand the exception over through a queued signal. The hook never raises and never
recurses: if showing fails, it falls back to one French line on stderr.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from app.errors import ArobaseError, StoreError
from app.logs import redact
from ui.qt import QApplication, QObject, Qt, QThread, QWidget, Signal, Slot, is_alive

Clock = Callable[[], datetime]
SysHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]


def expected_message(exc: BaseException) -> str | None:
    """The French sentence of an error the user can act on, or None for a bug."""
    if isinstance(exc, ArobaseError):
        return exc.message
    if isinstance(exc, StoreError):
        return str(exc)
    return None


def report_exception(exc: BaseException) -> None:
    """Hand a caught exception to whatever hook the application installed (ours in the app)."""
    sys.excepthook(type(exc), exc, exc.__traceback__)


def failure_message(exc: BaseException, unexpected: str) -> str:
    """What to write where the work failed: the error's own French sentence, or ``unexpected`` for a bug,
    which is also handed to the hook (logged, with its details dialog)."""
    message = expected_message(exc)
    if message is None:
        report_exception(exc)
        return unexpected
    return message


class ErrorReporter(QObject):
    """Logs and shows uncaught exceptions; create it on the GUI thread, pass it the log file."""

    _handover = Signal(object, object)  # exception, traceback: from another thread to the GUI thread

    def __init__(self, log_path: Path, *, clock: Clock = datetime.now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self._clock = clock
        self._log_lock = threading.Lock()
        self._local = threading.local()  # per thread: is this thread already inside handle()?
        self._showing = False
        self._windows: list[QWidget] = []
        self._previous: tuple[SysHook, ThreadHook] | None = None
        self._handover.connect(self._show, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ hooks

    def install(self) -> None:
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.excepthook
            threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put back the hooks found at install, unless someone replaced ours since."""
        if self._previous is None:
            return
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous[1]
        self._previous = None

    def excepthook(self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
        self.handle(_instance(exc_type, exc), tb)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # as the default hook: a thread that exits is not an error
            return
        self.handle(_instance(args.exc_type, args.exc_value), args.exc_traceback)

    # ------------------------------------------------------------------ handling

    def handle(self, exc: BaseException, tb: TracebackType | None = None) -> None:
        """Log, then show on the GUI thread; must never raise, it runs as the interpreter's last resort."""
        if getattr(self._local, "busy", False):  # an error while handling an error: no second round
            self._fallback(exc)
            return
        self._local.busy = True
        tb = tb if tb is not None else exc.__traceback__
        try:
            if isinstance(exc, KeyboardInterrupt):  # Ctrl+C in the terminal that started Arobase
                app = QApplication.instance()
                if app is not None:
                    app.quit()
                return
            if expected_message(exc) is None:
                self.log(exc, tb)
            if QThread.currentThread() is self.thread():
                self._show(exc, tb)
            else:
                self._handover.emit(exc, tb)
        except BaseException:
            self._fallback(exc)
        finally:
            self._local.busy = False

    @Slot(object, object)
    def _show(self, exc: BaseException, tb: TracebackType | None) -> None:
        if self._showing:  # the dialog itself failed while being shown: do not loop
            self._fallback(exc)
            return
        self._showing = True
        try:
            self._windows = [w for w in self._windows if is_alive(w) and w.isVisible()]
            # Imported on the first error, not at start (QMessageBox, the dialog: 5 ms before the window shows).
            from ui.error_dialog import ErrorDialog
            from ui.messages import show_warning

            message = expected_message(exc)
            if message is not None:
                self._keep(show_warning(_parent_window(), message))
                return
            details = _format(exc, tb)
            open_dialog = next((w for w in self._windows if isinstance(w, ErrorDialog)), None)
            if open_dialog is not None:
                open_dialog.add_details(details)
                return
            dialog = ErrorDialog(details, self.log_path if self.log_path.is_file() else None, _parent_window())
            dialog.finished.connect(dialog.deleteLater)
            self._keep(dialog)
            dialog.open()
        except BaseException:
            self._fallback(exc)
        finally:
            self._showing = False

    def _keep(self, window: QWidget) -> None:
        """Hold a Python reference so that a parentless dialog is not garbage-collected while shown."""
        self._windows.append(window)

    def log(self, exc: BaseException, tb: TracebackType | None = None) -> None:
        """Append the traceback to the log file, from any thread; a failure to write is swallowed."""
        tb = tb if tb is not None else exc.__traceback__
        try:
            stamp = self._clock().isoformat(timespec="seconds")
            with self._log_lock:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(f"--- {stamp} ---\n{redact(_format(exc, tb))}\n")
        except OSError:
            pass  # a full disk must not turn one error into two; the dialog still shows the details

    def _fallback(self, exc: BaseException) -> None:
        try:
            stream = sys.__stderr__
            if stream is not None:
                stream.write(
                    f"arobase : erreur inattendue ({type(exc).__name__}) ; détails dans {self.log_path}. "
                    "Transmettez ce fichier à l'assistance.\n"
                )
        except Exception:
            pass


def _instance(exc_type: type[BaseException], exc: BaseException | None) -> BaseException:
    """The exception object; C code may pass only its type, which may not be callable without arguments."""
    if exc is not None:
        return exc
    try:
        return exc_type()
    except Exception:
        return RuntimeError(getattr(exc_type, "__name__", "erreur inconnue"))


def _format(exc: BaseException, tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()


def _parent_window() -> QWidget | None:
    """The window the user is looking at, unless it is itself an error dialog going away."""
    from ui.error_dialog import ErrorDialog

    active = QApplication.activeWindow()
    return None if isinstance(active, ErrorDialog) else active
