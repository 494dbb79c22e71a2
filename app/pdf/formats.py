"""Dates, numbers and sizes as the printed documents write them (French conventions)."""

from __future__ import annotations

from datetime import date

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


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def file_size(n: int) -> str:
    if n < 1024:
        return f"{n} octets"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} ko"
    return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")


# ---------------------------------------------------------------------------------------------- pages


def iso_date(value: str) -> str:
    """``2026-11-23T10:30:00Z`` as ``23/11/2026 à 10:30 (UTC)``."""
    try:
        day, time = value.rstrip("Z").split("T", 1)
        d = date.fromisoformat(day)
        return f"{short_date(d)} à {time[:5]} (UTC)"
    except ValueError:
        return value


def period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"du {short_date(start)} au {short_date(end)}"
    if start:
        return f"depuis le {short_date(start)}"
    if end:
        return f"jusqu'au {short_date(end)}"
    return "non indiquées"
