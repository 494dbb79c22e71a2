"""Questionnaire editions on the server: published from the same files the app ships, checked by their schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from resources import folder
from server.models import Edition
from sync.dossier_format import canonical_json, sha256_hex


class EditionFileError(ValueError):
    """The edition file cannot be published; the message is French and names the faulty field."""


def bundled_edition_files() -> list[Path]:
    return sorted(p for p in folder("resources.questionnaires").glob("*.json") if p.name != "schema.json")


@lru_cache(maxsize=1)
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads((folder("resources.questionnaires") / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def read_edition_file(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditionFileError(f"le fichier {path} n'existe pas") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EditionFileError(f"le fichier {path} n'est pas un JSON lisible ({exc})") from None
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(racine)"
        raise EditionFileError(
            f"le fichier {path} n'est pas une édition valide : champ « {where} » ({errors[0].message})"
        )
    ids = [s["id"] for t in document["themes"] for st in t["subthemes"] for s in st["services"]]
    if len(ids) != len(set(ids)):
        raise EditionFileError(f"le fichier {path} répète un identifiant de service")
    return document


def publish(session: Session, document: dict[str, Any], now: datetime) -> tuple[Edition, bool]:
    """Insert or update the edition; returns (row, changed). Receipt numbering carries on."""
    content = canonical_json(document)
    digest = sha256_hex(content)
    opens = date.fromisoformat(document["opens"]) if document["opens"] else None
    closes = date.fromisoformat(document["closes"]) if document["closes"] else None
    row = session.get(Edition, document["edition"])
    if row is not None and row.sha256 == digest:
        return row, False
    if row is None:
        row = Edition(id=document["edition"], last_receipt=0)
        session.add(row)
    row.title, row.sha256, row.content, row.opens, row.closes = document["title"], digest, content, opens, closes
    row.published_at = now
    session.flush()
    return row, True


def is_open(edition: Edition, today: date) -> bool:
    return (edition.opens is None or edition.opens <= today) and (edition.closes is None or today <= edition.closes)


@dataclass(frozen=True)
class EditionIndex:
    services: frozenset[str]
    levels: frozenset[str]
    criteria: frozenset[str]


@lru_cache(maxsize=16)
def index(content: bytes) -> EditionIndex:
    doc = json.loads(content)
    return EditionIndex(
        services=frozenset(s["id"] for t in doc["themes"] for st in t["subthemes"] for s in st["services"]),
        levels=frozenset(level["id"] for level in doc["levels"]),
        criteria=frozenset(c["id"] for c in doc["epci_criteria"]),
    )


def dossier_faults(dossier: dict[str, Any], edition: Edition) -> list[str]:
    """What in a (schema-valid) dossier the edition does not know, in French."""
    idx = index(edition.content)
    faults = []
    for n, action in enumerate(dossier["actions"], start=1):
        unknown = [s for s in action["services"] if s not in idx.services]
        if unknown:
            faults.append(f"action {n} : service(s) inconnu(s) de l'édition {edition.id} : {', '.join(unknown)}")
        if action["level"] is not None and action["level"] not in idx.levels:
            faults.append(f"action {n} : niveau « {action['level']} » inconnu de l'édition {edition.id}")
    for answer in dossier["epci_answers"]:
        if answer["criterion"] not in idx.criteria:
            faults.append(f"critère intercommunal « {answer['criterion']} » inconnu de l'édition {edition.id}")
    return faults
