"""The fiche's fields as the window shows them: reading order, labels with their keyboard letter, hints,
and the jj/mm/aaaa dates (read leniently, written one way, refused in a French sentence).

Qt-free on purpose: the rules are tested without a widget, and the fiche (``action_editor``) only builds
its form from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.model import ACTION_LABELS

DATE_FIELDS = ("start_date", "end_date")
LINE_FIELDS = ("title", "web_link")
LONG_FIELDS = ("synthesis", "results", "tools", "partners")
MNEMONICS = {
    "title": "T&itre de l'action :",
    "synthesis": "S&ynthèse :",
    "level": "Niveau de réalisati&on :",
    "results": "Rés&ultats :",
    "tools": "Outi&ls :",
    "partners": "&Partenaires :",
    "delivered_by": "&Qui réalise l'action :",
    "start_date": "Date de dé&but :",
    "end_date": "Da&te de fin :",
    "web_link": "Lien &web :",
}
HINTS = {
    "synthesis": "Ce que fait l'action, pour qui, depuis quand : quelques phrases suffisent.",
    "results": "Chiffres et effets constatés : nombre de participants, démarches réussies…",
    "tools": "Matériel, logiciels, sites utilisés.",
    "partners": "Associations, entreprises, autres collectivités qui participent.",
}
LONG_LINES = {"synthesis": 6, "results": 4, "tools": 3, "partners": 3}
NOT_SET = "— non renseigné —"
DATE_PLACEHOLDER = "jj/mm/aaaa"
DATE_DESCRIPTION = "Date sous la forme jour/mois/année, par exemple 01/09/2025 ; laissez vide si elle n'est pas connue."
_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class DateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_date(text: str, label: str) -> date | None:
    """ "01/09/2025" (also 1-9-2025, 1.9.2025, 2025-09-01) → date; "" → None; else DateError in French."""
    if not text.strip():
        return None
    m = _DATE_RE.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _ISO_RE.match(text)
        if not m:
            raise DateError(
                f"« {label} » : écrivez la date sous la forme jj/mm/aaaa (par exemple 01/09/2025), "
                "ou laissez le champ vide."
            )
        year, month, day = (int(g) for g in m.groups())
    if not 1900 <= year <= 2100:
        raise DateError(f"« {label} » : l'année {year} n'est pas plausible.")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(
            f"« {label} » : le {day:02d}/{month:02d}/{year} n'existe pas ; vérifiez le jour et le mois."
        ) from None


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@dataclass(frozen=True)
class DatesCheck:
    """What the two date fields say after an edit: the dates to store (none when out of order) and, per
    field, the message to show ("" for none)."""

    to_store: dict[str, date | None]
    messages: dict[str, str]


def check_dates(
    texts: dict[str, str], stored: dict[str, date | None], edited: str, *, final: bool, shown: set[str]
) -> DatesCheck:
    """The dates typed (``texts``), against the stored ones, after ``edited`` changed (``final``: the user
    left it). A field whose text is not a date yet says so only once left, or if it already said something
    (``shown``); it keeps its stored date for the order check. Dates out of order store nothing."""
    values: dict[str, date | None] = {}
    messages: dict[str, str] = {}
    for name in DATE_FIELDS:
        try:
            values[name] = parse_date(texts[name], ACTION_LABELS[name])
            messages[name] = ""
        except DateError as exc:
            values[name] = stored[name]
            messages[name] = exc.message if (final and name == edited) or name in shown else ""
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start:
        if not messages[edited]:
            messages[edited] = (
                "La date de fin précède la date de début."
                if edited == "end_date"
                else "La date de début est après la date de fin."
            )
        return DatesCheck({}, messages)
    changed = {n: values[n] for n in DATE_FIELDS if not messages[n] and values[n] != stored[n]}
    return DatesCheck(changed, messages)
