"""Run work off the GUI thread and hand its outcome back on the GUI thread.

Like Anki's ``CollectionOp``/``QueryOp``: the window never freezes on the database. Two lanes, each one
never-expiring worker thread: ``STORE`` serialises every write and short read of the store (SQLite has
one writer anyway, and ordering stays predictable: a close queued after a load runs after it);
``BACKGROUND`` takes long work that does not write the store (building a PDF, loading the commune
list), so that an autosave never waits behind it. ``on_success`` and ``on_failure`` always run on the
thread that owns the runner, so they may touch widgets. An exception is never lost: without
``on_failure`` it goes to ``sys.excepthook``. ``drain()`` waits for every job and delivers every
outcome before returning: closing the window sees the result of its last write.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from ui.excepthook import report_exception
from ui.qt import QObject, QRunnable, Qt, QThreadPool, Signal, Slot, is_alive

T = TypeVar("T")
Failure = Callable[[BaseException], object]


class Lane(Enum):
    STORE = "store"  # serialised store work: every write goes here
    BACKGROUND = "background"  # long work that writes nothing to the store


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
    """Queues of background jobs with callbacks on the GUI thread; one per window, never global."""

    finished = Signal(int)  # a task id, once its callback has run
    idle = Signal()  # no job left, all callbacks delivered
    _ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[Lane, QThreadPool] = {}
        for lane in Lane:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)  # keep the worker thread for the runner's whole life
            self._pools[lane] = pool
        self._pending: dict[int, _Pending] = {}
        self._outcomes: deque[_Outcome] = deque()
        self._lock = threading.Lock()
        self._next_id = 0
        self._closed = False
        self._ready.connect(self._deliver_one, Qt.ConnectionType.QueuedConnection)

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
        lane: Lane = Lane.STORE,
    ) -> int:
        """Queue ``fn``; its callbacks are skipped if ``owner`` (e.g. the widget to update) is gone by then."""
        if self._closed:
            raise RuntimeError("TaskRunner.run() après shutdown()")
        self._next_id += 1
        task_id = self._next_id
        self._pending[task_id] = _Pending(on_success, on_failure, owner)
        self._pools[lane].start(_Job(task_id, fn, self._post))
        return task_id

    def _post(self, outcome: _Outcome) -> None:
        """On a worker thread: keep the outcome, wake the GUI thread."""
        with self._lock:
            self._outcomes.append(outcome)
        self._ready.emit()

    @Slot()
    def _deliver_one(self) -> bool:
        """One outcome per posted event, as it arrived (``drain`` may have taken it already)."""
        with self._lock:
            if not self._outcomes:
                return False
            outcome = self._outcomes.popleft()
        self._deliver(outcome)
        return True

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

    def drain(self) -> None:
        """Wait for every queued job and run its callback now, including jobs those callbacks queue."""
        while self._pending:
            for pool in self._pools.values():
                pool.waitForDone(-1)
            while self._deliver_one():
                pass

    def shutdown(self) -> None:
        """Deliver what is left, then refuse new jobs: the owner is going away. Safe to call twice."""
        if not self._closed:
            self.drain()
        self._closed = True
