"""Devices and their tokens: enrolment with a single-use code, rotation with one grace reuse, revocation.

Opaque tokens of 256 random bits are stored as SHA-256 only; activation codes are argon2-hashed. A refresh
token goes ``current`` → ``grace`` when it is rotated (one more use allowed, until its successor is used)
→ ``spent``; presenting a spent one revokes the device (OWASP ASVS 10.4.5, with the grace a lossy rural
line needs).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.orm import Session

from server import ratelimit, security
from server.models import AccessToken, ActivationCode, Collectivity, Device, RefreshToken, UTCDateTime
from server.problems import Problem
from server.services import Services, client_address, services_of

T = TypeVar("T")
BAD_CODE = "Code d'activation inconnu, expiré ou déjà utilisé : demandez un nouveau code à l'association."
BAD_REFRESH = "Cet appareil n'est plus reconnu : saisissez un nouveau code d'activation."
BAD_ACCESS = "Authentification requise ou expirée : renouvelez le jeton d'accès."


@dataclass(frozen=True)
class Account:
    """The authenticated caller: one device of one collectivity."""

    device_id: str
    collectivity_id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class Tokens:
    device_id: str
    refresh_token: str
    access_token: str
    expires_in: int
    collectivity: Collectivity


def _ip_key(request: Request) -> str:
    return f"auth-ip:{client_address(request)}"


def _refuse_if_limited(svc: Services, request: Request, account_id: int | None = None) -> None:
    keys = [(_ip_key(request), svc.settings.auth_failures_per_address)]
    if account_id is not None:
        keys.append((f"auth-account:{account_id}", svc.settings.auth_failures_per_account))
    with svc.db.read() as s:
        ratelimit.refuse_if_over(s, keys, svc.now())


def _count_failure(svc: Services, request: Request, account_id: int | None = None) -> None:
    now = svc.now()
    with svc.db.write() as s:
        ratelimit.hit(s, _ip_key(request), svc.settings.auth_failures_per_address, now)
        if account_id is not None:
            ratelimit.hit(s, f"auth-account:{account_id}", svc.settings.auth_failures_per_account, now)


def _issue(s: Session, svc: Services, device_id: str, now: datetime) -> tuple[str, str]:
    refresh, access = security.new_token(), security.new_token()
    s.add(RefreshToken(
        token_hash=security.token_hash(refresh), device_id=device_id, issued_at=now,
        expires_at=now + timedelta(seconds=svc.settings.refresh_ttl), status="current",
    ))  # fmt: skip
    s.add(AccessToken(
        token_hash=security.token_hash(access), device_id=device_id,
        expires_at=now + timedelta(seconds=svc.settings.access_ttl),
    ))  # fmt: skip
    s.execute(delete(AccessToken).where(AccessToken.device_id == device_id, AccessToken.expires_at <= now))
    return refresh, access


def enrol(svc: Services, request: Request, code: str, device_name: str) -> Tokens:
    def tokens(s: Session, device: Device, collectivity: Collectivity, now: datetime) -> Tokens:
        refresh, access = _issue(s, svc, device.id, now)
        return Tokens(device.id, refresh, access, svc.settings.access_ttl, collectivity)

    return claim_code(svc, request, code, device_name, tokens)


def claim_code(
    svc: Services, request: Request, code: str, device_name: str,
    then: Callable[[Session, Device, Collectivity, datetime], T],
) -> T:  # fmt: skip
    """Spend a single-use activation code on a new device of its collectivity and run ``then`` in the same
    transaction (the API issues tokens, the /depot page opens a web session); 401 otherwise, counted."""
    _refuse_if_limited(svc, request)
    parts = security.split_activation_code(code)
    row = None
    if parts is not None:
        with svc.db.read() as s:
            row = s.execute(select(ActivationCode).where(ActivationCode.lookup == parts[0])).scalar_one_or_none()
    account_id = row.collectivity_id if row is not None else None
    if account_id is not None:
        _refuse_if_limited(svc, request, account_id)
    # argon2 outside any transaction (it is slow on purpose); a dummy hash keeps the time the same.
    ok = security.argon2_verify(row.secret_hash if row else security.dummy_hash(), parts[1] if parts else code)
    now = svc.now()
    if row is not None and ok:
        with svc.db.write() as s:
            fresh = s.execute(select(ActivationCode).where(ActivationCode.id == row.id).with_for_update()).scalar_one()
            if fresh.used_at is None and fresh.expires_at > now:
                fresh.used_at = now  # single use: decided under the row lock
                device = Device(
                    id=str(uuid.uuid4()), collectivity_id=fresh.collectivity_id, name=device_name,
                    created_at=now, last_seen_at=now,
                )  # fmt: skip
                s.add(device)
                s.flush()
                collectivity = s.get(Collectivity, fresh.collectivity_id)
                assert collectivity is not None
                return then(s, device, collectivity, now)
    _count_failure(svc, request, account_id)
    raise Problem(401, BAD_CODE)


def refresh(svc: Services, request: Request, token: str) -> Tokens:
    _refuse_if_limited(svc, request)
    now = svc.now()
    outcome: Tokens | str
    with svc.db.write() as s:
        outcome = _rotate(s, svc, token, now)
    if isinstance(outcome, Tokens):
        return outcome
    _count_failure(svc, request)
    raise Problem(401, BAD_REFRESH, headers={"WWW-Authenticate": "Bearer"})


def _rotate(s: Session, svc: Services, token: str, now: datetime) -> Tokens | str:
    row = s.execute(
        select(RefreshToken).where(RefreshToken.token_hash == security.token_hash(token)).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.expires_at <= now:
        return "unknown"
    device = s.get(Device, row.device_id)
    assert device is not None
    if device.revoked_at is not None:
        return "revoked"
    if row.status == "spent":
        revoke(s, device, now, "jeton de renouvellement réutilisé")
        return "reused"
    others = update(RefreshToken).where(RefreshToken.device_id == device.id, RefreshToken.token_hash != row.token_hash)
    if row.status == "current":
        s.execute(others.where(RefreshToken.status == "grace").values(status="spent"))
        row.status = "grace"
    else:  # the one grace reuse: its unused successor dies with it
        s.execute(others.where(RefreshToken.status == "current").values(status="spent"))
        row.status = "spent"
    device.last_seen_at = now
    new_refresh, access = _issue(s, svc, device.id, now)
    collectivity = s.get(Collectivity, device.collectivity_id)
    assert collectivity is not None
    return Tokens(device.id, new_refresh, access, svc.settings.access_ttl, collectivity)


def revoke(s: Session, device: Device, now: datetime, reason: str) -> None:
    device.revoked_at, device.revoked_reason = now, reason
    s.execute(update(RefreshToken).where(RefreshToken.device_id == device.id).values(status="spent"))
    s.execute(delete(AccessToken).where(AccessToken.device_id == device.id))


async def current_account(request: Request) -> Account:
    """FastAPI dependency: the caller's device, from ``Authorization: Bearer <access token>``.

    On SQLite the lookup runs right here on the event loop: one indexed read of a local file in WAL mode,
    which never waits for a writer, costs less than the two thread switches of a worker-thread call (about
    a tenth of the server's CPU per send, measured). PostgreSQL answers over the network: a worker thread.
    """
    svc = services_of(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, BAD_ACCESS, headers={"WWW-Authenticate": "Bearer"})
    if svc.db.is_sqlite:
        return account_of(svc, token.strip())
    return await run_in_threadpool(account_of, svc, token.strip())


def account_of(svc: Services, token: str) -> Account:
    """The device an access token belongs to (unexpired, not revoked), or 401."""
    row = svc.db.first_plain(ACCOUNT_BY_TOKEN, {"token_hash": security.token_hash(token), "now": svc.now()})
    if row is None:
        raise Problem(401, BAD_ACCESS, headers={"WWW-Authenticate": "Bearer"})
    return Account(*row)


# Every request runs this: plain SQL, because building and caching-keying the same query as an expression
# costs SQLAlchemy more than SQLite takes to answer it.
ACCOUNT_BY_TOKEN = text(
    "SELECT d.id, c.id, c.code, c.name, c.kind FROM access_tokens a"
    " JOIN devices d ON d.id = a.device_id JOIN collectivities c ON c.id = d.collectivity_id"
    " WHERE a.token_hash = :token_hash AND a.expires_at > :now AND d.revoked_at IS NULL"
).bindparams(bindparam("now", type_=UTCDateTime))
