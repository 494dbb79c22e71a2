"""Fixed-window rate limits kept in the database, so every worker counts the same attempts."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NoReturn

from sqlalchemy import bindparam, case
from sqlalchemy.orm import Session

from server.db import insert_dialect
from server.models import RateCounter, UTCDateTime
from server.problems import Problem
from server.settings import RateLimit


def retry_after(session: Session, key: str, limit: RateLimit, now: datetime) -> int | None:
    """Seconds to wait if ``key`` is over its limit now, else None (reads only)."""
    row = session.get(RateCounter, key)
    if row is None or row.window_start + timedelta(seconds=limit.window) <= now or row.count < limit.count:
        return None
    return max(1, int((row.window_start + timedelta(seconds=limit.window) - now).total_seconds() + 0.999))


def hit(session: Session, key: str, limit: RateLimit, now: datetime) -> tuple[int, datetime]:
    """Count one event for ``key``: one INSERT … ON CONFLICT DO UPDATE, safe between workers; returns the
    window's count (this event included) and its start."""
    params = {"key": key, "now": now, "stale": now - timedelta(seconds=limit.window)}
    count, start = session.execute(_upsert(session.get_bind().dialect.name), params).one()
    return int(count), start


@lru_cache(maxsize=2)
def _upsert(dialect: str) -> Any:
    """Built once per dialect (building it costs more than running it); a window that ended starts again at 1."""
    now = bindparam("now", type_=UTCDateTime)
    stale = RateCounter.window_start <= bindparam("stale", type_=UTCDateTime)
    stmt = insert_dialect(dialect, RateCounter).values(key=bindparam("key"), window_start=now, count=1)
    return stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"count": case((stale, 1), else_=RateCounter.count + 1),
              "window_start": case((stale, now), else_=RateCounter.window_start)},
    ).returning(RateCounter.count, RateCounter.window_start)  # fmt: skip


def refuse_if_over(session: Session, keys: list[tuple[str, RateLimit]], now: datetime) -> None:
    waits = [w for key, limit in keys if (w := retry_after(session, key, limit, now)) is not None]
    if waits:
        _refuse(max(waits))


def _refuse(wait: int) -> NoReturn:
    raise Problem(429, f"Trop de tentatives : réessayez dans {wait} secondes.", headers={"Retry-After": str(wait)})


def count_account_request(session: Session, collectivity_id: int, limit: RateLimit, now: datetime) -> None:
    """Writes (uploads, submissions) of one account: counted, and refused over the limit, in the caller's
    transaction — one statement; the refusal rolls the transaction back, so a refused request is not counted."""
    count, start = hit(session, f"account:{collectivity_id}", limit, now)
    if count > limit.count:
        _refuse(max(1, int((start + timedelta(seconds=limit.window) - now).total_seconds() + 0.999)))
