"""Dates, numbers and sizes as the printed documents write them (French conventions).

Times are stored and compared in UTC (naive datetimes and ``…Z`` strings); what is printed is local
time, in the time zone passed in (Europe/Paris unless told otherwise): a dossier validated at 23:30 UTC
on 30 November reads "01/12/2026 à 00:30" in a French town hall.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

DEFAULT_TIME_ZONE = "Europe/Paris"

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------- pages


def local_zone(tz: tzinfo | None = None) -> tzinfo:
    """``tz``, or Europe/Paris (from the system's time zone database, or the ``tzdata`` package on Windows)."""
    if tz is not None:
        return tz
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(DEFAULT_TIME_ZONE)
    except ZoneInfoNotFoundError:  # no time zone database at all: the computer's own zone, never a crash
        return datetime.now().astimezone().tzinfo or UTC


def local_datetime(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """A moment (naive means UTC, as the clocks and the store give it) in local time."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(local_zone(tz))


def iso_date(value: str, tz: tzinfo | None = None) -> str:
    """``2026-11-23T10:30:00Z`` (UTC) as ``23/11/2026 à 11:30``, in local time."""
    try:
        moment = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return value
    local = local_datetime(moment, tz)
    return f"{short_date(local.date())} à {local:%H:%M}"


def period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"du {short_date(start)} au {short_date(end)}"
    if start:
        return f"depuis le {short_date(start)}"
    if end:
        return f"jusqu'au {short_date(end)}"
    return "non indiquées"
