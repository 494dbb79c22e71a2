"""The background-task helper: callbacks on the GUI thread, failures never lost, one job at a time."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ui.qt import QApplication, QObject, QThread
from ui.tasks import TaskRunner


def on_gui_thread() -> bool:
    return QThread.currentThread() is QApplication.instance().thread()


def test_success_is_delivered_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    seen: dict[str, Any] = {}

    def job() -> int:
        seen["job_on_gui_thread"] = on_gui_thread()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_on_gui_thread"] = on_gui_thread()

    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.run(job, done)

    assert seen == {"job_on_gui_thread": False, "result": 42, "callback_on_gui_thread": True}
    assert runner.pending == 0


def test_failure_reaches_on_failure_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    failures: list[tuple[BaseException, bool]] = []

    def job() -> None:
        raise ValueError("lecture impossible")

    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.run(job, lambda _: pytest.fail("no success expected"), lambda e: failures.append((e, on_gui_thread())))

    assert len(failures) == 1
    exc, gui = failures[0]
    assert isinstance(exc, ValueError) and str(exc) == "lecture impossible"
    assert gui


def test_failure_without_handler_goes_to_the_exception_hook(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[BaseException] = []

    def hook(_t: type[BaseException], exc: BaseException, _tb: TracebackType | None) -> None:
        hooked.append(exc)

    def faulty_callback(_result: str) -> None:
        raise KeyError("rappel fautif")

    monkeypatch.setattr(sys, "excepthook", hook)
    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.run(lambda: 1 / 0)
        runner.run(lambda: "ok", faulty_callback)
        runner.run(lambda: "suivant", hooked.append)  # the queue goes on after a faulty callback

    assert [type(e) for e in hooked] == [ZeroDivisionError, KeyError, str]


def test_jobs_run_one_at_a_time_in_order_on_one_worker_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    events: list[tuple[str, int, int]] = []
    results: list[int] = []

    def job(n: int) -> int:
        events.append(("début", n, threading.get_ident()))
        time.sleep(0.02)
        events.append(("fin", n, threading.get_ident()))
        return n

    with qtbot.waitSignal(runner.idle, timeout=10_000):
        for n in range(5):
            runner.run(lambda n=n: job(n), results.append)

    assert results == [0, 1, 2, 3, 4]
    assert [(kind, n) for kind, n, _ in events] == [(k, n) for n in range(5) for k in ("début", "fin")]
    threads = {ident for _, _, ident in events}
    assert len(threads) == 1
    assert threading.get_ident() not in threads


def test_callbacks_are_skipped_when_the_owner_is_gone(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    called: list[object] = []
    parent = QObject()
    owner = QObject(parent)

    runner.run(lambda: release.wait(10), called.append, called.append, owner=owner)
    del parent  # deletes the C++ owner too
    with qtbot.waitSignal(runner.idle, timeout=10_000):
        release.set()

    assert called == []


def test_shutdown_waits_and_refuses_new_jobs(runner: TaskRunner) -> None:
    finished = threading.Event()
    runner.run(lambda: (time.sleep(0.05), finished.set()))

    runner.shutdown()

    assert finished.is_set()
    with pytest.raises(RuntimeError):
        runner.run(lambda: None)
