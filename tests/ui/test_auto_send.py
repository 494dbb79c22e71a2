"""The automatic sending's timer: it backs off after a failed send, resets after a good one, and looks again
soon when the page says "not now" (a field being typed, a send running)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.auto_send import AutoSender


def test_backs_off_resets_and_retries_soon_when_busy(qtbot: QtBot) -> None:
    tries: list[bool] = []
    answers = [False, True]
    sender = AutoSender(
        lambda: tries.append(True) or (answers.pop(0) if answers else True), base_ms=20, cap_ms=70, busy_ms=10
    )
    assert not sender.timer.isActive()
    sender.set_enabled(True)
    qtbot.waitUntil(lambda: len(tries) == 2, timeout=2_000)  # refused once (busy), tried again soon
    sender.sent(False)
    assert sender.delay_ms == 40 and sender.timer.isActive()
    sender.sent(False)
    sender.sent(False)
    assert sender.delay_ms == 70  # the cap
    sender.sent(True)
    assert sender.delay_ms == 20
    sender.set_enabled(False)
    assert not sender.timer.isActive()
    sender.network_back()
    assert not sender.timer.isActive()  # off means off, even when the network comes back
    sender.enabled = True
    sender.network_back()
    assert sender.timer.isActive() and sender.timer.remainingTime() <= 0
