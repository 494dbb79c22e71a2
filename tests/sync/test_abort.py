"""``sync.abort``: a request waiting on a stalled line is cut at once from another thread, and the session
still works afterwards (the pool opens a new connection)."""

from __future__ import annotations

import threading
import time

import pytest

from sync.abort import abort
from sync.client import new_session
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess

PROBE = "/api/v1/submissions"  # answers 204 to HEAD, 401 to GET without a token


def test_abort_cuts_a_stalled_request_and_the_session_goes_on(server: ServerProcess, proxy: FaultProxy) -> None:
    import requests

    session = new_session()
    assert session.head(proxy.url + PROBE, timeout=5).status_code == 204  # a pooled connection, idle
    proxy.set(Fault(stall_on=b"HTTP/1.1"))  # the next answer never comes
    threading.Timer(0.5, lambda: abort(session)).start()
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        session.get(proxy.url + PROBE, timeout=(5, 30))
    assert proxy.stalled.is_set() and time.monotonic() - started < 10  # not the 30 s read timeout
    proxy.set(Fault())
    assert session.head(proxy.url + PROBE, timeout=5).status_code == 204
