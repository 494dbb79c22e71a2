"""Sending against the real server process: exactly once, receipts verified, faults typed and in French."""

from __future__ import annotations

import hashlib
import json

import pytest

from app import outbox
from app.sending import send_pending
from tests.server.conftest import ServerProcess
from tests.sync.conftest import ATTACHMENTS, Town, attachment_bytes


def server_blob(town: Town, sha: str) -> bytes:
    return (town.server.data / "fichiers" / sha[:2] / sha).read_bytes()


def submissions_of(town: Town) -> int:
    return submissions_for(town.server, town.code)


def submissions_for(server: ServerProcess, code: str) -> int:
    """Rows the server holds for one collectivity (exactly once: one per revision)."""
    return server.count(
        "SELECT count(*) FROM submissions s JOIN collectivities c ON c.id = s.collectivity_id WHERE c.code = :code",
        code=code,
    )


@pytest.mark.both_backends
def test_send_delivers_once_with_a_verified_receipt(town: Town) -> None:
    report = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
    assert report.all_sent, report
    [entry] = outbox.entries(town.ws)
    assert entry.state == "envoye" and entry.receipt_number and entry.receipt_number.startswith("VI-2019-")
    assert town.ws.status("2019").summary.state == "recu"
    assert submissions_of(town) == 1
    for name, size in ATTACHMENTS:
        data = attachment_bytes(name, size)
        assert server_blob(town, hashlib.sha256(data).hexdigest()) == data
    again = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
    assert again.outcomes == [] and submissions_of(town) == 1
    assert json.dumps(entry.receipt)  # kept whole, signature included
    assert "signature" in entry.receipt
