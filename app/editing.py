"""The checks every edit of a dossier passes before it reaches the store: one place for the rules.

The single-edit use cases of ``app.workspace.Workspace`` and its batch (``apply_edits``) call the same
functions, so that an edit refused one way is refused the other way with the same French sentence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.edition import Edition
from app.errors import InvalidInput
from app.formats import thousands
from app.model import (
    ACTION_COLUMNS,
    ACTION_LABELS,
    ACTION_TEXT_FIELDS,
    ADDRESS_LABELS,
    DELIVERERS,
    KINDS,
    PROFILE_FIELDS,
    PROFILE_LABELS,
    ActionData,
)
from app.text import check_text

MAX_POPULATION = 100_000_000  # same bound as the interchange schema; beyond, SQLite integers overflow


def check_profile_changes(changes: dict[str, Any]) -> None:
    """Known profile fields only, each of the right type and of one line of acceptable text."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"Champ de profil inconnu\u00a0: {', '.join(sorted(unknown))}.")
    for key, value in changes.items():
        if key == "population":
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_POPULATION
            ):
                raise InvalidInput(
                    f"La population doit être un nombre entier positif (au plus {thousands(MAX_POPULATION)}).",
                    "profile.population",
                )
        elif key == "kind":
            if value not in KINDS:
                raise InvalidInput(f"Type de collectivité inconnu\u00a0: «\u00a0{value}\u00a0».", "profile.kind")
        else:
            check_text(value, PROFILE_LABELS[key], multiline=False, field=f"profile.{key}")


def checked_action_fields(edition: Edition, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of an action edit, checked against the edition (levels, services); services de-duplicated."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ACTION_TEXT_FIELDS:
            label, multiline = ACTION_TEXT_FIELDS[key]
            out[key] = check_text(value, label, multiline=multiline, field=key)
        elif key == "level":
            if value is not None:
                edition.level(value)
            out[key] = value
        elif key == "delivered_by":
            if value is not None and value not in DELIVERERS:
                raise InvalidInput(f"Valeur inconnue pour « {ACTION_LABELS[key]} » : « {value} ».", key)
            out[key] = value
        elif key in ("start_date", "end_date"):
            if value is not None and not isinstance(value, date):
                raise InvalidInput(f"« {ACTION_LABELS[key]} » doit être une date.", key)
            out[key] = value
        elif key == "services":
            ids = list(dict.fromkeys(value))
            for sid in ids:
                edition.service(sid)
            out[key] = ids
        elif key == "addresses":
            addresses = tuple(value)
            for ad in addresses:
                for part, label in ADDRESS_LABELS.items():
                    check_text(getattr(ad, part), label, multiline=False, field="addresses")
            out[key] = addresses
        else:
            raise InvalidInput(f"Champ d'action inconnu : « {key} ».")
    start, end = out.get("start_date"), out.get("end_date")
    if start and end and end < start:
        raise InvalidInput("La date de fin précède la date de début.", "end_date")
    return out


def check_action_data(edition: Edition, a: ActionData) -> None:
    """A whole action put back (undo, import) passes the same checks as its fields typed one by one."""
    fields: dict[str, Any] = {k: getattr(a, k) for k in ACTION_COLUMNS}
    fields["addresses"] = a.addresses
    fields["services"] = [sid for sid in a.services if edition.has_service(sid)]
    checked_action_fields(edition, fields)
