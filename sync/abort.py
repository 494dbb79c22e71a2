"""Cut every connection of a ``requests.Session`` at once, even one blocked waiting for an answer.

``Session.close()`` only closes the idle connections of its pools: a request waiting on a stalled
line keeps its socket until the read timeout. Closing the window during a send must not wait that
long, so the session's adapters record each connection they open (weakly) and ``abort`` shuts their
sockets down: the blocked read returns at once with an error the sending loop treats as a cut line.
The session stays usable: a pool notices the dropped connection and opens a new one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests


def _tracking(pool_class: type, live: weakref.WeakSet[Any], lock: threading.Lock) -> type:
    class Tracking(pool_class):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> Any:
            conn = super()._new_conn()
            with lock:
                live.add(conn)
            return conn

    return Tracking


@lru_cache(maxsize=1)
def _adapter_class() -> type:
    import requests.adapters
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class AbortableAdapter(requests.adapters.HTTPAdapter):
        """An ``HTTPAdapter`` whose pools (direct or through a proxy) remember the connections they open."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.live: weakref.WeakSet[Any] = weakref.WeakSet()
            self.lock = threading.Lock()
            self.pool_classes = {
                "http": _tracking(HTTPConnectionPool, self.live, self.lock),
                "https": _tracking(HTTPSConnectionPool, self.live, self.lock),
            }
            super().__init__(*args, **kwargs)

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = self.pool_classes

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            manager.pool_classes_by_scheme = self.pool_classes
            return manager

        def abort(self) -> None:
            with self.lock:
                conns = list(self.live)
            for conn in conns:
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    return AbortableAdapter


def make_abortable(session: requests.Session) -> requests.Session:
    """Mount the recording adapters on ``session`` for http:// and https://."""
    adapter_class = _adapter_class()
    for prefix in ("https://", "http://"):
        session.mount(prefix, adapter_class())
    return session


def abort(session: requests.Session) -> None:
    """Shut down every socket the session opened (thread-safe: call it from any thread)."""
    for adapter in list(session.adapters.values()):
        stop = getattr(adapter, "abort", None)
        if stop is not None:
            stop()
