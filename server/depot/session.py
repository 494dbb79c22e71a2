"""The town hall's sign-in on /depot: an activation code, spent like the API's enrolment, opens a short web session.

The code enrols a device of its own (« Page de dépôt ») through ``auth.claim_code``: the same argon2 check,
the same single use under a row lock, the same rate limits per address and per account. The device has no API
token: its only credential is the session cookie (256 random bits, stored as SHA-256), valid an hour at most;
« Se déconnecter » revokes the device, and ``arobase-server revoke-device`` ends the session too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server import auth, security
from server.auth import Account
from server.models import Collectivity, DepotSession, Device
from server.services import Services, services_of
from server.web import open_session

PATH = "/depot"
UPLOAD = f"{PATH}/envoi"  # the one path that takes a whole bundle (server.app.BodyLimit)
COOKIE = "arobase_depot"
LOGIN_COOKIE = "arobase_depot_connexion"
SESSION_TTL = 3600
DEVICE_NAME = "Page de dépôt (navigateur)"


@dataclass(frozen=True)
class DepotUser:
    account: Account
    csrf_token: str
    expires_at: datetime


def sign_in(svc: Services, request: Request, code: str) -> str:
    """The new session's cookie token; a Problem (401, 429) otherwise."""

    def opened(s: Session, device: Device, collectivity: Collectivity, now: datetime) -> str:
        return open_session(s, DepotSession, now, SESSION_TTL, device_id=device.id)

    return auth.claim_code(svc, request, code, DEVICE_NAME, opened)


def current(request: Request) -> DepotUser | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    svc = services_of(request)
    with svc.db.read() as s:
        found = s.execute(
            select(DepotSession, Device, Collectivity)
            .join(Device, Device.id == DepotSession.device_id)
            .join(Collectivity, Collectivity.id == Device.collectivity_id)
            .where(DepotSession.token_hash == security.token_hash(token), DepotSession.expires_at > svc.now())
            .where(Device.revoked_at.is_(None))
        ).first()
    if found is None:
        return None
    session, device, coll = found
    account = Account(device.id, coll.id, coll.code, coll.name, coll.kind)
    return DepotUser(account, session.csrf_token, session.expires_at)


def sign_out(svc: Services, user: DepotUser) -> None:
    with svc.db.write() as s:
        device = s.get(Device, user.account.device_id)
        if device is not None:
            auth.revoke(s, device, svc.now(), "session de dépôt fermée")
        s.execute(delete(DepotSession).where(DepotSession.device_id == user.account.device_id))
