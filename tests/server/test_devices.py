"""Enrolment, refresh-token rotation with its one grace reuse, revocation — against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from server import security
from server.db import Database
from server.models import AccessToken
from tests.server.conftest import Device, ServerProcess, enrol


def _refresh(server: ServerProcess, token: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/token", json={"refresh_token": token})


def _account(server: ServerProcess, access: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/account", headers={"Authorization": f"Bearer {access}"})


def test_enrolment_gives_tokens_and_the_account(server: ServerProcess) -> None:
    code = "123456789"
    activation = server.cli("add-collectivity", "--code", code, "--name", "Communauté d'essai", "--email", "a@b.fr")
    secret = activation.stdout.splitlines()[-1]
    answer = httpx.post(f"{server.url}/api/v1/devices", json={"activation_code": secret.lower(), "device_name": "PC"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["collectivity"] == {"code": code, "name": "Communauté d'essai", "kind": "epci"}
    assert len(body["refresh_token"]) >= 43 and len(body["access_token"]) >= 43  # 256 bits, base64url
    assert answer.headers["Cache-Control"] == "no-store"
    account = _account(server, body["access_token"]).json()
    assert account["collectivity"]["code"] == code
    assert account["membership"]["member"] is False
    assert [e["id"] for e in account["open_editions"]] == ["2019"]
    again = httpx.post(f"{server.url}/api/v1/devices", json={"activation_code": secret, "device_name": "PC 2"})
    assert again.status_code == 401  # single use
    assert again.headers["Content-Type"] == "application/problem+json"
    assert "Code d'activation" in again.json()["detail"]


def test_tokens_are_stored_hashed_never_in_clear(server: ServerProcess, device: Device) -> None:
    for token in (device.refresh_token, device.access_token):
        assert server.count("SELECT count(*) FROM refresh_tokens WHERE token_hash = :t", t=token) == 0
        assert server.count("SELECT count(*) FROM access_tokens WHERE token_hash = :t", t=token) == 0
    assert server.count("SELECT count(*) FROM activation_codes WHERE secret_hash NOT LIKE '$argon2id$%'") == 0


def test_rotation_allows_one_grace_reuse_then_reuse_revokes(server: ServerProcess, device: Device) -> None:
    first = _refresh(server, device.refresh_token)
    assert first.status_code == 200, first.text
    # The answer was "lost": the old token works once more, and the unused successor dies with it.
    grace = _refresh(server, device.refresh_token)
    assert grace.status_code == 200, grace.text
    assert _refresh(server, first.json()["refresh_token"]).status_code == 401
    # The grace is spent: presenting the old token again is a reuse, and revokes the device.
    assert _refresh(server, device.refresh_token).status_code == 401
    assert _refresh(server, grace.json()["refresh_token"]).status_code == 401
    assert _account(server, grace.json()["access_token"]).status_code == 401


def test_using_the_new_token_ends_the_grace(server: ServerProcess, device: Device) -> None:
    first = _refresh(server, device.refresh_token).json()
    second = _refresh(server, first["refresh_token"])
    assert second.status_code == 200
    assert _account(server, second.json()["access_token"]).status_code == 200
    assert _refresh(server, device.refresh_token).status_code == 401  # reuse after the grace: revoked
    assert _account(server, second.json()["access_token"]).status_code == 401


def test_revoked_device_is_refused(server: ServerProcess, device: Device) -> None:
    assert device.http.get("/api/v1/account").status_code == 200
    revoked = server.cli("revoke-device", device.device_id)
    assert "révoqué" in revoked.stdout
    assert device.http.get("/api/v1/account").status_code == 401
    assert _refresh(server, device.refresh_token).status_code == 401


def test_sign_out_kills_the_device_tokens(server: ServerProcess, device: Device) -> None:
    assert device.http.delete("/api/v1/devices/current").status_code == 204
    assert device.http.get("/api/v1/account").status_code == 401
    assert _refresh(server, device.refresh_token).status_code == 401


def test_access_needs_a_bearer_token(server: ServerProcess) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope"}):
        answer = httpx.get(f"{server.url}/api/v1/account", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["detail"].startswith("Authentification requise")


def test_an_access_token_works_until_the_instant_it_expires(server: ServerProcess, device: Device) -> None:
    """The token lookup compares the stored expiry with the clock (on SQLite straight on the driver, the
    bound instant formatted as SQLAlchemy stores it): a second either side of the stored instant."""
    db = Database(server.database_url)
    try:
        for delta, status in ((timedelta(seconds=30), 200), (timedelta(seconds=-1), 401), (timedelta(0), 401),
                              (timedelta(seconds=2), 200)):  # fmt: skip
            with db.write() as s:
                s.execute(
                    update(AccessToken)
                    .where(AccessToken.token_hash == security.token_hash(device.access_token))
                    .values(expires_at=datetime.now(UTC) + delta)
                )
            assert _account(server, device.access_token).status_code == status, delta
    finally:
        db.dispose()


def test_a_new_device_of_the_same_collectivity_shares_its_account(server: ServerProcess, device: Device) -> None:
    second = enrol(server, code=device.code)
    try:
        assert second.http.get("/api/v1/account").json()["collectivity"]["code"] == device.code
        assert second.device_id != device.device_id
    finally:
        second.http.close()


def test_tokens_and_codes_never_reach_the_log(server: ServerProcess) -> None:
    code = server.activation_code("444444444", "Journal")
    enrolled = httpx.post(f"{server.url}/api/v1/devices", json={"activation_code": code, "device_name": "PC"}).json()
    rotated = _refresh(server, enrolled["refresh_token"]).json()
    httpx.get(f"{server.url}/api/v1/account", headers={"Authorization": "Bearer " + rotated["access_token"]})
    log = server.log.read_text(encoding="utf-8", errors="replace")
    secrets = [
        code,
        code.replace("-", ""),
        enrolled["refresh_token"],
        enrolled["access_token"],
        rotated["refresh_token"],
    ]
    assert [s for s in secrets if s in log] == []
