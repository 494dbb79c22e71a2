"""Fixed-window rate limits kept in the database, so every worker counts the same attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal
from sqlalchemy.orm import Session

from server.db import insert_for
from server.models import RateCounter, UTCDateTime
from server.problems import Problem
from server.settings import RateLimit


def retry_after(session: Session, key: str, limit: RateLimit, now: datetime) -> int | None:
    """Seconds to wait if ``key`` is over its limit now, else None (reads only)."""
    row = session.get(RateCounter, key)
    if row is None or row.window_start + timedelta(seconds=limit.window) <= now or row.count < limit.count:
        return None
    return max(1, int((row.window_start + timedelta(seconds=limit.window) - now).total_seconds() + 0.999))


def hit(session: Session, key: str, limit: RateLimit, now: datetime) -> None:
    """Count one event for ``key``: one INSERT … ON CONFLICT DO UPDATE, safe between workers."""
    stale = RateCounter.window_start <= now - timedelta(seconds=limit.window)
    stmt = insert_for(session, RateCounter).values(key=key, window_start=now, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "count": case((stale, 1), else_=RateCounter.count + 1),
            "window_start": case((stale, literal(now, UTCDateTime)), else_=RateCounter.window_start),
        },
    )
    session.execute(stmt)


def refuse_if_over(session: Session, keys: list[tuple[str, RateLimit]], now: datetime) -> None:
    waits = [w for key, limit in keys if (w := retry_after(session, key, limit, now)) is not None]
    if waits:
        wait = max(waits)
        raise Problem(
            429,
            f"Trop de tentatives : réessayez dans {wait} secondes.",
            headers={"Retry-After": str(wait)},
        )


def count_account_request(session: Session, collectivity_id: int, limit: RateLimit, now: datetime) -> None:
    """Writes (uploads, submissions) of one account: refused over the limit, else counted, in the caller's
    transaction (a refused request is not counted)."""
    key = f"account:{collectivity_id}"
    refuse_if_over(session, [(key, limit)], now)
    hit(session, key, limit, now)
