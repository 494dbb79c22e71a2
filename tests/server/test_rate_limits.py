"""Failed sign-in attempts are limited per address and per account, counted in the database (429 + Retry-After)."""

from __future__ import annotations

import httpx

from tests.server.conftest import ServerProcess, enrol, tus_create_headers


def _enrol(server: ServerProcess, code: str, address: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/devices",
        json={"activation_code": code, "device_name": "PC"},
        headers={"X-Forwarded-For": address},  # uvicorn trusts it from 127.0.0.1 (a local reverse proxy)
    )


def _code(server: ServerProcess, siren: str) -> str:
    return server.activation_code(siren, "Essai")


def test_failures_from_one_address_are_limited(strict_server: ServerProcess) -> None:
    good = _code(strict_server, "111111111")
    for _ in range(3):
        assert _enrol(strict_server, "AAAA-BBBB-CCCC-DDDD-EEEE", "192.0.2.10").status_code == 401
    limited = _enrol(strict_server, good, "192.0.2.10")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 600
    assert limited.json()["detail"].startswith("Trop de tentatives")
    refresh = httpx.post(
        f"{strict_server.url}/api/v1/token", json={"refresh_token": "x"}, headers={"X-Forwarded-For": "192.0.2.10"}
    )
    assert refresh.status_code == 429
    assert _enrol(strict_server, good, "192.0.2.11").status_code == 201  # another address is not affected


def test_failures_against_one_account_are_limited_whatever_the_address(strict_server: ServerProcess) -> None:
    good = _code(strict_server, "222222222")
    wrong = good[:5] + ("0000" if good[5:9] != "0000" else "1111") + good[9:]
    for n in range(2):
        assert _enrol(strict_server, wrong, f"198.51.100.{n}").status_code == 401
    limited = _enrol(strict_server, good, "198.51.100.99")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_uploads_and_submissions_are_limited_per_account(strict_server: ServerProcess) -> None:
    device = enrol(strict_server)
    other = enrol(strict_server)
    answers = [device.http.post("/api/v1/uploads", headers=tus_create_headers(b"r" * 10)) for _ in range(6)]
    assert [a.status_code for a in answers] == [201] * 6
    limited = device.http.post("/api/v1/uploads", headers=tus_create_headers(b"r" * 10))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert device.submit(device.submission()).status_code == 429
    assert other.http.post("/api/v1/uploads", headers=tus_create_headers(b"r" * 10)).status_code == 201
    device.http.close()
    other.http.close()
