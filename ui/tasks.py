"""Run work off the GUI thread, one job at a time, and hand its outcome back on the GUI thread.

Like Anki's ``CollectionOp``/``QueryOp``: the window never freezes on the database, and because the
pool has a single, never-expiring worker thread, all store work is serialised (SQLite has one writer
anyway, and ordering stays predictable: a close queued after a load runs after it). ``on_success`` and
``on_failure`` always run on the thread that owns the runner, through a queued signal, so they may
touch widgets. An exception is never lost: without ``on_failure`` it goes to ``sys.excepthook``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ui.excepthook import report_exception
from ui.qt import QObject, QRunnable, Qt, QThreadPool, Signal, Slot, is_alive

T = TypeVar("T")
Failure = Callable[[BaseException], object]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What a job produced: its result (``ok``) or the exception it raised."""

    task_id: int
    ok: bool
    value: Any


@dataclass(frozen=True, slots=True)
class _Pending:
    on_success: Callable[[Any], object] | None
    on_failure: Failure | None
    owner: QObject | None


class _Job(QRunnable):
    """Calls the function on the worker thread and posts the outcome back; never raises itself."""

    def __init__(self, task_id: int, fn: Callable[[], Any], post: Callable[[_Outcome], None]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id = task_id
        self._fn: Callable[[], Any] | None = fn
        self._post = post

    def run(self) -> None:
        fn, self._fn = self._fn, None
        try:
            outcome = _Outcome(self._task_id, True, fn() if fn else None)
        except BaseException as exc:  # everything, even SystemExit, must reach on_failure
            outcome = _Outcome(self._task_id, False, exc)
        with contextlib.suppress(RuntimeError):  # the runner is gone: nobody is left to tell
            self._post(outcome)


class TaskRunner(QObject):
    """A queue of background jobs with callbacks on the GUI thread; one per window, never global."""

    finished = Signal(int)  # a task id, once its callback has run
    idle = Signal()  # no job left, all callbacks delivered
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # keep the one worker thread for the runner's whole life
        self._pending: dict[int, _Pending] = {}
        self._next_id = 0
        self._closed = False
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        """Jobs submitted whose callback has not run yet."""
        return len(self._pending)

    @property
    def closed(self) -> bool:
        return self._closed

    def run(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], object] | None = None,
        on_failure: Failure | None = None,
        *,
        owner: QObject | None = None,
    ) -> int:
        """Queue ``fn``; its callbacks are skipped if ``owner`` (e.g. the widget to update) is gone by then."""
        if self._closed:
            raise RuntimeError("TaskRunner.run() après shutdown()")
        self._next_id += 1
        task_id = self._next_id
        self._pending[task_id] = _Pending(on_success, on_failure, owner)
        self._pool.start(_Job(task_id, fn, self._posted.emit))
        return task_id

    @Slot(object)
    def _deliver(self, outcome: _Outcome) -> None:
        pending = self._pending.pop(outcome.task_id, None)
        try:
            if pending is None or self._closed:
                return
            if pending.owner is not None and not is_alive(pending.owner):
                return
            if outcome.ok:
                if pending.on_success is not None:
                    pending.on_success(outcome.value)
            elif pending.on_failure is not None:
                pending.on_failure(outcome.value)
            else:
                report_exception(outcome.value)
        except Exception as exc:  # a failing callback is a bug: show it, keep the queue going
            report_exception(exc)
        finally:
            self.finished.emit(outcome.task_id)
            if not self._pending:
                self.idle.emit()

    def shutdown(self, timeout_ms: int = -1) -> bool:
        """Refuse new jobs, wait for running ones and drop their callbacks: the owner is going away."""
        self._closed = True
        return self._pool.waitForDone(timeout_ms)
