"""Staff sign-in: argon2 passwords, a session cookie (HttpOnly, SameSite=Strict) and a CSRF token per session.

The cookie holds a 256-bit token stored hashed; every form carries the session's CSRF token, checked on
each POST. Before sign-in, the login form's token is a double-submit cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, select

from server import ratelimit, security
from server.models import Staff, StaffSession
from server.services import Services, client_address, services_of
from server.web import open_session

COOKIE = "arobase_equipe"
LOGIN_COOKIE = "arobase_equipe_connexion"
SESSION_TTL = 8 * 3600


@dataclass(frozen=True)
class StaffUser:
    id: int
    email: str
    csrf_token: str
    must_change_password: bool


class NotSignedIn(Exception):
    """The page needs a signed-in staff member: redirect to the login page."""


def current_staff(request: Request) -> StaffUser:
    svc = services_of(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise NotSignedIn
    with svc.db.read() as s:
        found = s.execute(
            select(StaffSession, Staff)
            .join(Staff, Staff.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == security.token_hash(token), StaffSession.expires_at > svc.now())
        ).first()
    if found is None:
        raise NotSignedIn
    session, staff = found
    return StaffUser(staff.id, staff.email, session.csrf_token, staff.must_change_password)


def sign_in(svc: Services, request: Request, email: str, password: str) -> str | None:
    """The new session's cookie token, or None (the failure is counted per address)."""
    key = f"staff-ip:{client_address(request)}"
    with svc.db.read() as s:
        ratelimit.refuse_if_over(s, [(key, svc.settings.auth_failures_per_address)], svc.now())
        staff = s.execute(select(Staff).where(Staff.email == email.strip().lower())).scalar_one_or_none()
    ok = security.argon2_verify(staff.password_hash if staff else security.dummy_hash(), password)
    now = svc.now()
    with svc.db.write() as s:
        if staff is None or not ok:
            ratelimit.hit(s, key, svc.settings.auth_failures_per_address, now)
            return None
        token = open_session(s, StaffSession, now, SESSION_TTL, staff_id=staff.id)
        row = s.get(Staff, staff.id)
        assert row is not None
        row.last_login_at = now
        return token


def sign_out(svc: Services, request: Request) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        with svc.db.write() as s:
            s.execute(delete(StaffSession).where(StaffSession.token_hash == security.token_hash(token)))


def change_password(svc: Services, user: StaffUser, current: str, new: str) -> str | None:
    """None when done, else the French reason."""
    if len(new) < 12:
        return "Le nouveau mot de passe doit compter au moins 12 caractères."
    with svc.db.write() as s:
        staff = s.get(Staff, user.id)
        assert staff is not None
        if not security.argon2_verify(staff.password_hash, current):
            return "Le mot de passe actuel est incorrect."
        staff.password_hash, staff.must_change_password = security.argon2_hash(new), False
    return None
