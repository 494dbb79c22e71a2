"""« Envoyer automatiquement dès que la connexion revient »: a timer with backoff, and the network coming back.

The page says whether a send may start now (signed in, nothing typed waiting to be written, no send
running); a refused tick comes back soon. A failed send doubles the wait (up to ``cap_ms``), a good
one resets it. Qt's network information (QtNetwork, loaded only when the option is on) wakes it up as
soon as the system reports the network back; where Qt has no backend, the timer alone does the job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ui.qt import QObject, QTimer

BASE_MS = 30_000
CAP_MS = 15 * 60_000
BUSY_MS = 5_000  # the person is typing or a send runs: look again shortly


class AutoSender(QObject):
    def __init__(
        self, try_send: Callable[[], bool], parent: QObject | None = None, *, base_ms: int = BASE_MS,
        cap_ms: int = CAP_MS, busy_ms: int = BUSY_MS,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._try_send = try_send
        self.base_ms, self.cap_ms, self.busy_ms = base_ms, cap_ms, busy_ms
        self.delay_ms = base_ms
        self.enabled = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._tick)
        self._network: Any = None

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        if on:
            self._watch_network()
            self.delay_ms = self.base_ms
            self.timer.start(self.base_ms)
        else:
            self.timer.stop()

    def sent(self, ok: bool) -> None:
        """After any send (automatic or clicked): reset or back off, then wait for the next try."""
        self.delay_ms = self.base_ms if ok else min(self.cap_ms, self.delay_ms * 2)
        if self.enabled:
            self.timer.start(self.delay_ms)

    def network_back(self) -> None:
        if self.enabled:
            self.timer.start(0)

    def _tick(self) -> None:
        if self.enabled and not self._try_send():
            self.timer.start(self.busy_ms)

    def _watch_network(self) -> None:
        if self._network is not None:
            return
        from ui.qt import network_information

        info = network_information()
        if info is None:
            return
        self._network = info
        # A bound method of this QObject: Qt drops the connection when the page (and this) goes away,
        # while the network information object lives as long as the application.
        info.reachabilityChanged.connect(self.reachability_changed)

    def reachability_changed(self, value: object) -> None:
        """Qt's network information changed: back online means try the pending entries now."""
        if getattr(value, "name", None) == "Online":  # QNetworkInformation.Reachability.Online
            self.network_back()
