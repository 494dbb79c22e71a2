"""Fixed-window rate limits kept in the database, so every worker counts the same attempts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.orm import Session

from server.models import RateCounter, UTCDateTime
from server.problems import Problem
from server.settings import RateLimit


def retry_after(session: Session, key: str, limit: RateLimit, now: datetime) -> int | None:
    """Seconds to wait if ``key`` is over its limit now, else None (reads only)."""
    row = session.get(RateCounter, key)
    if row is None or row.window_start + timedelta(seconds=limit.window) <= now or row.count < limit.count:
        return None
    return _seconds_left(row.window_start, limit, now)


def _seconds_left(window_start: datetime, limit: RateLimit, now: datetime) -> int:
    """Whole seconds until the window that started at ``window_start`` ends (at least 1)."""
    return max(1, int((window_start + timedelta(seconds=limit.window) - now).total_seconds() + 0.999))


def hit(session: Session, key: str, limit: RateLimit, now: datetime) -> tuple[int, datetime]:
    """Count one event for ``key``: one INSERT … ON CONFLICT DO UPDATE, safe between workers; returns the
    window's count (this event included) and its start."""
    params = {"key": key, "now": now, "stale": now - timedelta(seconds=limit.window)}
    count, start = session.execute(UPSERT, params).one()
    return int(count), start


# Plain SQL (the same on SQLite and PostgreSQL): it runs in every upload and submission, and building it as an
# expression cost SQLAlchemy twice what the database takes. A window that ended starts again at 1.
UPSERT = (
    text(
        "INSERT INTO rate_counters (key, window_start, count) VALUES (:key, :now, 1) ON CONFLICT (key) DO UPDATE SET"
        " count = CASE WHEN rate_counters.window_start <= :stale THEN 1 ELSE rate_counters.count + 1 END,"
        " window_start = CASE WHEN rate_counters.window_start <= :stale THEN :now ELSE rate_counters.window_start END"
        " RETURNING count, window_start"
    )
    .bindparams(bindparam("now", type_=UTCDateTime), bindparam("stale", type_=UTCDateTime))
    .columns(count=Integer, window_start=UTCDateTime)
)


def refuse_if_over(session: Session, keys: list[tuple[str, RateLimit]], now: datetime) -> None:
    waits = [w for key, limit in keys if (w := retry_after(session, key, limit, now)) is not None]
    if waits:
        _refuse(max(waits))


def _refuse(wait: int) -> NoReturn:
    raise Problem(429, f"Trop de tentatives : réessayez dans {wait} secondes.", headers={"Retry-After": str(wait)})


def count_account_request(session: Session, collectivity_id: int, limit: RateLimit, now: datetime) -> None:
    """Writes (uploads, submissions) of one account: counted, and refused over the limit, in the caller's
    transaction — one statement; the refusal rolls the transaction back, so a refused request is not counted."""
    count, start = hit(session, f"account:{collectivity_id}", limit, now)
    if count > limit.count:
        _refuse(_seconds_left(start, limit, now))
