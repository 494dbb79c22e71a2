"""Send cases that need one town each: new revision naming the one it replaces, another collectivity's
dossier refused before any byte, a receipt not signed by the pinned key, a captive portal, garbage,
and the fail keyring (no token byte anywhere on disk)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import outbox
from app.login import login
from app.secrets import NO_KEYRING, SecretStore
from app.sending import FORGED, send_pending
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import FAIL_KEYRING, Town, fast_settings, new_insee, validated_workspace
from tests.sync.test_send import submissions_of


def _send(town: Town):  # type: ignore[no-untyped-def]
    return send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)


def test_editing_after_sending_starts_a_revision_that_names_the_one_it_replaces(town: Town) -> None:
    assert _send(town).all_sent
    first = outbox.entries(town.ws)[0]
    action = town.ws.load("2019").actions[0]
    town.ws.update_action("2019", action.uuid, synthesis="Revue après l'envoi.", new_revision=True)
    town.ws.validate("2019")
    assert _send(town).all_sent
    second = outbox.entries(town.ws)[1]
    assert (second.revision, second.replaces) == (2, first.submission_uuid)
    assert submissions_of(town) == 2
    assert town.server.count(
        "SELECT count(*) FROM submissions WHERE submission_uuid = :u AND replaces = :r",
        u=second.submission_uuid, r=first.submission_uuid,
    ) == 1  # fmt: skip


def test_another_collectivitys_dossier_is_refused_before_any_byte(town: Town) -> None:
    town.account.collectivity = {**town.account.collectivity, "code": "99999"}
    town.proxy.set(Fault())
    report = _send(town)
    [o] = report.outcomes
    assert o.state == "a_verifier" and "99999" in o.message and town.code in o.message
    assert report.wire_bytes == 0 and submissions_of(town) == 0
    assert town.proxy.up < 1000  # the preflight only
    town.account.collectivity = {**town.account.collectivity, "code": town.code}  # signed in to the right one
    assert send_pending(town.ws, town.account, town.settings, town.session(), town.secrets).outcomes == []
    outbox.retry(town.ws, o.submission_uuid)
    assert _send(town).all_sent and submissions_of(town) == 1


def test_a_receipt_not_signed_by_the_pinned_key_is_refused(town: Town) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    import base64

    town.account.keys = {k: base64.b64encode(other).decode() for k in town.account.keys}
    [o] = _send(town).outcomes
    assert (o.state, o.message) == ("a_verifier", FORGED)
    assert outbox.entries(town.ws)[0].receipt is None
    assert town.ws.status("2019").summary.state == "valide"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 40\r\n\r\n"
         b"<html><body>Wi-Fi gratuit</body></html>",
         "page web dans votre navigateur"),
        (b"\x00\xffnot http at all\r\n\r\n", "ne répond pas"),
    ],
)  # fmt: skip
def test_captive_portal_and_garbage_are_told_apart(town: Town, answer: bytes, expected: str) -> None:
    town.proxy.set(Fault(answer=answer))
    report = _send(town)
    assert report.problem is not None and expected in report.problem, report.problem
    assert report.outcomes == [] and outbox.entries(town.ws)[0].state == "en_attente"


def test_without_a_keyring_the_token_stays_in_memory_only(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_KEYRING)
    keyring.core.init_backend()
    code = new_insee()
    activation = server.activation_code(code, "Commune sans trousseau")
    ws = validated_workspace(tmp_path / "commune.sqlite", code, "Commune sans trousseau", tmp_path)
    with FaultProxy(server.port) as proxy:
        settings, secrets = fast_settings(proxy.url), SecretStore()
        account_path = Path(os.environ["XDG_CONFIG_HOME"]) / "Arobase" / "compte.json"
        account = login(settings, settings.session(), secrets, account_path, activation)
        assert secrets.warning == NO_KEYRING and not secrets.persistent
        assert send_pending(ws, account, settings, settings.session(), secrets).all_sent
    ws.close()
    tokens = [t for raw in secrets._memory.values() for t in raw.split('"') if len(t) >= 40]
    assert tokens
    places = [tmp_path, Path(os.environ["HOME"])]
    for place in places:
        for path in place.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for token in tokens:
                    assert token.encode() not in data, path
                assert activation.encode() not in data, path
