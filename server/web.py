"""What the server's HTML pages share: the staff's /equipe and the town halls' /depot.

Templates are autoescaped (text typed by users is data, never markup); session cookies are HttpOnly,
SameSite=Strict, and Secure unless the browser talks to the server on the machine itself (loopback), so a
server behind a TLS-terminating proxy still sets Secure; every form carries a CSRF token compared in
constant time.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete
from sqlalchemy.orm import Session

from server import security
from server.problems import Problem

TEMPLATES = Path(__file__).resolve().parent / "templates"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
CSRF_REFUSED = "Formulaire refusé : jeton anti-falsification absent ou périmé. Rechargez la page."


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES))  # autoescape on for .html


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates().TemplateResponse(request, name, context, status_code=status)


def bare_page(name: str, status: int, **context: Any) -> HTMLResponse:
    """A page rendered without a request (a refusal sent by a middleware before routing)."""
    return HTMLResponse(templates().env.get_template(name).render(**context), status_code=status)


def cookie_options(request: Request, path: str) -> dict[str, Any]:
    loopback = (request.url.hostname or "") in LOOPBACK
    secure = request.url.scheme == "https" or not loopback
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": path}


def check_csrf(expected: str, given: str | None) -> None:
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise Problem(403, CSRF_REFUSED)


def open_session(s: Session, model: Any, now: datetime, ttl: int, **owner: Any) -> str:
    """A new row of a session table (staff, depot) and its cookie token, stored hashed, with a fresh CSRF
    token; the table's expired rows go first."""
    s.execute(delete(model).where(model.expires_at <= now))
    token = security.new_token()
    s.add(model(
        token_hash=security.token_hash(token), csrf_token=secrets.token_urlsafe(32), created_at=now,
        expires_at=now + timedelta(seconds=ttl), **owner,
    ))  # fmt: skip
    return token
