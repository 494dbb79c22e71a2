"""A line that drops at any byte: cut points spread over a whole send (3 attachments and the submission),
in both directions, closes and resets. After each, a single « Envoyer » ends with exactly one submission on
the server, byte-exact attachments, one verified receipt, and at most one chunk sent twice."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app import outbox
from app.sending import send_pending
from tests.conftest import Trials
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import ATTACHMENTS, CHUNK, attachment_bytes, make_town
from tests.sync.test_send import server_blob, submissions_of

PAYLOAD = sum(size for _, size in ATTACHMENTS)


def _totals(server: ServerProcess, tmp_path: Path, proxy: FaultProxy, empty_store: Path) -> tuple[int, int]:
    town = make_town(server, tmp_path / "reference", proxy, empty_store=empty_store)
    proxy.set(Fault())
    assert send_pending(town.ws, town.account, town.settings, town.session(), town.secrets).all_sent
    town.ws.close()
    return proxy.up, proxy.down


def _cut_points(up: int, down: int, n: int) -> list[tuple[str, int, bool]]:
    """``n`` cuts: most in the upload stream (where the bytes are), some in the answers, alternating reset."""
    n_down = max(2, n // 4)
    points = [("up", int(up * (i + 0.5) / (n - n_down)), i % 2 == 0) for i in range(n - n_down)]
    points += [("down", int(down * (i + 0.5) / n_down), i % 2 == 1) for i in range(n_down)]
    return points


def _run_cuts(
    server: ServerProcess, tmp_path: Path, proxy: FaultProxy, n: int, trials: Trials, empty_store: Path
) -> None:
    (tmp_path / "reference").mkdir()
    up, down = _totals(server, tmp_path, proxy, empty_store)
    assert up > PAYLOAD
    for i, (direction, at, reset) in enumerate(_cut_points(up, down, n)):
        with trials.one("coupure réseau pendant un envoi"):
            folder = tmp_path / f"cut-{i}"
            folder.mkdir()
            town = make_town(server, folder, proxy, empty_store=empty_store)
            proxy.set(Fault(cut_after=at, direction=direction, reset=reset))
            report = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
            where = f"cut {i} ({direction} at byte {at} of {up if direction == 'up' else down}, reset={reset})"
            assert proxy.fired.is_set(), where
            assert report.all_sent, (where, report)
            assert submissions_of(town) == 1, where
            [entry] = outbox.entries(town.ws)
            assert entry.state == "envoye" and entry.receipt_number, where
            assert town.ws.status("2019").summary.state == "recu", where
            for name, size in ATTACHMENTS:
                data = attachment_bytes(name, size)
                assert server_blob(town, hashlib.sha256(data).hexdigest()) == data, where
            assert report.wire_bytes - PAYLOAD <= CHUNK, (where, report.wire_bytes - PAYLOAD)
            assert town.ws.store.integrity_ok()
            town.ws.close()


@pytest.mark.both_backends
def test_twelve_cuts_spread_over_a_send(
    server: ServerProcess, tmp_path: Path, proxy: FaultProxy, memory_keyring: None, trials: Trials, empty_store: Path
) -> None:
    _run_cuts(server, tmp_path, proxy, 12, trials, empty_store)


@pytest.mark.slow
def test_a_hundred_cuts_spread_over_a_send(
    server: ServerProcess, tmp_path: Path, proxy: FaultProxy, memory_keyring: None, trials: Trials, empty_store: Path
) -> None:
    _run_cuts(server, tmp_path, proxy, 100, trials, empty_store)
