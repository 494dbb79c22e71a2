"""Faults one at a time: a stalled answer (read timeout, then reconciled), a slow line, an access token
refused (refreshed once, the rotation kept), a revoked device, cancel then resume, and the typing of
the server's answers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app import outbox
from app.network import store_tokens
from app.sending import CancelFlag, Progress, send_pending
from sync.errors import AuthRequired, NeedsAttention, Retryable, error_for
from tests.faultproxy import Fault
from tests.sync.conftest import CHUNK, Town
from tests.sync.test_cuts import PAYLOAD
from tests.sync.test_send import submissions_of


def _send(town: Town, **kw):  # type: ignore[no-untyped-def]
    return send_pending(town.ws, town.account, town.settings, town.session(), town.secrets, **kw)


def test_a_stalled_receipt_times_out_and_is_reconciled(town: Town) -> None:
    town.settings = replace(town.settings, read_timeout=1.0)
    town.proxy.set(Fault(stall_on=b"receipt_number"))
    report = _send(town)
    assert town.proxy.stalled.is_set()
    assert report.all_sent, report
    assert submissions_of(town) == 1 and outbox.entries(town.ws)[0].receipt_number


def test_a_preflight_answer_cut_in_its_headers_is_not_a_captive_portal(town: Town) -> None:
    town.proxy.set(Fault(cut_after=69, direction="down"))  # "HTTP/1.1 204 No Content" and half a header
    report = _send(town)
    assert town.proxy.fired.is_set()
    assert report.all_sent, report


def test_a_slow_line_gets_there(town: Town) -> None:
    town.proxy.set(Fault(throttle=2_000_000))
    report = _send(town)
    assert report.all_sent and report.wire_bytes == PAYLOAD


def test_a_refused_access_token_is_refreshed_once_and_the_rotation_kept(town: Town) -> None:
    name = town.account.secret_name
    before = json.loads(town.secrets.get(name) or "{}")
    store_tokens(town.secrets, name, before["refresh"], "x" * 43)  # the server no longer knows this access
    assert _send(town).all_sent
    after = json.loads(town.secrets.get(name) or "{}")
    assert after["refresh"] != before["refresh"] and after["access"] != "x" * 43


def test_a_revoked_device_is_asked_to_sign_in_again(town: Town) -> None:
    town.server.cli("revoke-device", town.account.device_id)
    report = _send(town)
    assert report.problem is not None and "reconnectez-vous" in report.problem
    assert outbox.entries(town.ws)[0].state == "en_attente" and submissions_of(town) == 0


def test_cancel_then_resume_sends_nothing_twice_beyond_a_chunk(town: Town) -> None:
    flag = CancelFlag()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.sent > 2 * CHUNK:
            flag.cancel()

    first = _send(town, progress=progress, cancelled=flag)
    assert first.cancelled and not first.all_sent and "reprendra" in (first.problem or "")
    assert outbox.entries(town.ws)[0].state == "en_attente" and submissions_of(town) == 0
    second = _send(town, progress=seen.append)
    assert second.all_sent
    assert first.wire_bytes + second.wire_bytes - PAYLOAD <= CHUNK
    assert all(0 <= p.sent <= p.total == PAYLOAD for p in seen)


class _Headers(dict):  # type: ignore[type-arg]
    pass


def _problem(status: int, detail: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": "x", "status": status, "detail": detail}).encode()


@pytest.mark.parametrize("status", [403, 409, 413, 422])
def test_refusals_need_attention_with_the_servers_french_detail(status: int) -> None:
    headers = _Headers({"Content-Type": "application/problem+json"})
    error = error_for(status, headers, _problem(status, "Détail du serveur."))
    assert isinstance(error, NeedsAttention) and not error.retryable
    assert "Détail du serveur." in error.message


@pytest.mark.parametrize(
    ("status", "headers"),
    [(500, {}), (502, {}), (503, {"Retry-After": "7"}), (429, {"Retry-After": "3"}), (409, {"Retry-After": "2"})],
)
def test_passing_faults_are_retryable(status: int, headers: dict[str, str]) -> None:
    error = error_for(status, _Headers({"Content-Type": "text/html", **headers}), b"<html>")
    assert isinstance(error, Retryable)
    if "Retry-After" in headers:
        assert error.retry_after == float(headers["Retry-After"])


def test_401_means_sign_in_again() -> None:
    assert isinstance(error_for(401, _Headers(), b""), AuthRequired)
