"""Dossier <-> interchange document (format ``arobase.dossier`` v1, see ``sync/dossier_format.py``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.edition import Edition
from app.errors import ArobaseError, InvalidInput
from app.model import (
    ACTION_COLUMNS,
    ACTION_TEXT_FIELDS,
    ADDRESS_LABELS,
    PROFILE_LABELS,
    ActionData,
    Address,
    AttachmentRef,
    DossierData,
    EpciAnswerData,
    Profile,
)
from app.text import check_text
from sync import dossier_format

MAX_FILE_BYTES = 200 * 1024 * 1024


class InterchangeError(ArobaseError):
    """A dossier file that cannot be imported as it is."""


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def to_document(
    dossier: DossierData, *, exported_at: datetime | None = None, generator: str | None = None
) -> dict[str, Any]:
    p = dossier.profile
    doc: dict[str, Any] = {
        "format": dossier_format.FORMAT,
        "version": dossier_format.VERSION,
        "edition": dossier.edition,
        "revision": dossier.revision,
        "state": dossier.state,
        "collectivity": {
            "name": p.name,
            "kind": p.kind,
            "code": p.code,
            "departement": p.departement,
            "population": p.population,
            "address": {"street": p.street, "postal_code": p.postal_code, "city": p.city},
            "epci": {"code": p.epci_code, "name": p.epci_name},
            "referent": {
                "name": p.referent_name,
                "role": p.referent_role,
                "email": p.referent_email,
                "phone": p.referent_phone,
            },
        },
        "epci_answers": [
            {"criterion": a.criterion, "answer": a.answer, "details": a.details} for a in dossier.epci_answers
        ],
        "actions": [_action_doc(a) for a in dossier.actions],
    }
    if exported_at is not None:
        doc["exported_at"] = exported_at.replace(microsecond=0).isoformat() + "Z"
    if generator is not None:
        doc["generator"] = generator
    return doc


def _action_doc(a: ActionData) -> dict[str, Any]:
    columns = {k: getattr(a, k) for k in ACTION_COLUMNS}
    return {
        "uuid": a.uuid,
        **columns,
        "start_date": _d(a.start_date),
        "end_date": _d(a.end_date),
        "services": list(a.services),
        "addresses": [{k: getattr(ad, k) for k in ADDRESS_LABELS} for ad in a.addresses],
        "attachments": [
            {"sha256": f.sha256, "size": f.size, "media_type": f.media_type, "name": f.name} for f in a.attachments
        ],
    }


def _date(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InterchangeError(f"Le champ « {where} » contient une date impossible : « {value} ».") from None


def from_document(doc: Any, edition: Edition) -> DossierData:
    """Check ``doc`` fully (structure, text, edition ids) and return the dossier it describes."""
    try:
        dossier_format.validate(doc)
    except dossier_format.FormatError as exc:
        raise InterchangeError(f"Dossier invalide : {exc}.") from None
    if doc["edition"] != edition.id:
        raise InterchangeError(f"Le dossier concerne l'édition {doc['edition']}, pas l'édition {edition.id}.")
    c = doc["collectivity"]
    raw_profile = {
        "name": c["name"],
        "kind": c["kind"],
        "code": c["code"],
        "departement": c["departement"],
        "population": c["population"],
        "street": c["address"]["street"],
        "postal_code": c["address"]["postal_code"],
        "city": c["address"]["city"],
        "referent_name": c["referent"]["name"],
        "referent_role": c["referent"]["role"],
        "referent_email": c["referent"]["email"],
        "referent_phone": c["referent"]["phone"],
        # Optional in format 1: files written before it was added have no "epci".
        "epci_code": c.get("epci", {}).get("code", ""),
        "epci_name": c.get("epci", {}).get("name", ""),
    }
    for key, value in raw_profile.items():
        if isinstance(value, str):
            _checked(value, PROFILE_LABELS[key], multiline=False, where=f"collectivity.{key}")
    profile = Profile(**raw_profile)

    actions: list[ActionData] = []
    seen: set[str] = set()
    for i, a in enumerate(doc["actions"]):
        where = f"actions[{i}]"
        name = a["title"] or a["uuid"]
        if a["uuid"] in seen:
            raise InterchangeError(f"L'action « {name} » apparaît deux fois (identifiant {a['uuid']}).")
        seen.add(a["uuid"])
        for key, (label, multiline) in ACTION_TEXT_FIELDS.items():
            _checked(a[key], label, multiline=multiline, where=f"{where}.{key}")
        if a["level"] is not None and not edition.has_level(a["level"]):
            raise InterchangeError(
                f"L'action « {name} » a un niveau de réalisation inconnu de l'édition {edition.id} : « {a['level']} »."
            )
        unknown = [s for s in a["services"] if not edition.has_service(s)]
        if unknown:
            raise InterchangeError(
                f"L'action « {name} » est liée à un service inconnu de l'édition {edition.id} : « {unknown[0]} »."
            )
        start, end = _date(a["start_date"], f"{where}.start_date"), _date(a["end_date"], f"{where}.end_date")
        if start and end and end < start:
            raise InterchangeError(f"L'action « {name} » se termine avant d'avoir commencé.")
        addresses = []
        for j, ad in enumerate(a["addresses"]):
            for key in ADDRESS_LABELS:
                _checked(ad[key], "Adresse", multiline=False, where=f"{where}.addresses[{j}].{key}")
            addresses.append(Address(**ad))
        attachments = []
        for j, f in enumerate(a["attachments"]):
            _checked(f["name"], "Nom de pièce jointe", multiline=False, where=f"{where}.attachments[{j}].name")
            attachments.append(AttachmentRef(f["sha256"], f["size"], f["media_type"], f["name"]))
        order = {s.id: n for n, s in enumerate(edition.services)}
        actions.append(
            ActionData(
                uuid=a["uuid"],
                **{k: a[k] for k in ACTION_COLUMNS} | {"start_date": start, "end_date": end},
                services=tuple(sorted(a["services"], key=order.__getitem__)),
                addresses=tuple(addresses),
                attachments=tuple(attachments),
            )
        )
    answers = []
    seen_criteria: set[str] = set()
    for i, ans in enumerate(doc["epci_answers"]):
        if not edition.has_criterion(ans["criterion"]):
            raise InterchangeError(f"Critère intercommunal inconnu de l'édition {edition.id} : « {ans['criterion']} ».")
        if ans["criterion"] in seen_criteria:
            raise InterchangeError(f"Le critère intercommunal « {ans['criterion']} » est répondu deux fois.")
        seen_criteria.add(ans["criterion"])
        _checked(ans["details"], "Précisions", multiline=True, where=f"epci_answers[{i}].details")
        answers.append(EpciAnswerData(ans["criterion"], ans["answer"], ans["details"]))
    answers.sort(key=lambda x: x.criterion)
    return DossierData(
        edition=edition.id,
        state=doc.get("state", "brouillon"),
        revision=doc.get("revision", 1),
        profile=profile,
        actions=tuple(actions),
        epci_answers=tuple(answers),
    )


def _checked(value: str, label: str, *, multiline: bool, where: str) -> None:
    try:
        check_text(value, label, multiline=multiline)
    except InvalidInput as exc:
        raise InterchangeError(f"Dossier invalide, champ « {where} » : {exc.message}") from None


def read_document(path: Path) -> dict[str, Any]:
    """Read a dossier file, with a French sentence for every way it can fail."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InterchangeError(f"Le fichier {path} n'existe pas.") from None
    except OSError as exc:
        raise InterchangeError(f"Impossible de lire le fichier {path} : {exc.strerror}.") from None
    if path.is_dir():
        raise InterchangeError(f"{path} est un dossier, pas un fichier de dossier Arobase (.json).")
    if size > MAX_FILE_BYTES:
        raise InterchangeError(f"Le fichier {path} est trop volumineux pour être un dossier Arobase.")
    try:
        raw = path.read_bytes().decode("utf-8-sig")  # a BOM, as some Windows editors add, is not an error
    except UnicodeDecodeError:
        raise InterchangeError(
            f"Le fichier {path} n'est pas un texte UTF-8 : ce n'est pas un dossier Arobase."
        ) from None
    except OSError as exc:
        raise InterchangeError(f"Impossible de lire le fichier {path} : {exc.strerror}.") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            f"Le fichier {path} n'est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno}) : "
            "ce n'est pas un dossier Arobase ou il a été abîmé."
        ) from None
    except RecursionError:
        raise InterchangeError(f"Le fichier {path} est trop imbriqué pour être un dossier Arobase.") from None
    return doc  # type: ignore[no-any-return]


def write_document(doc: dict[str, Any], path: Path) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    from app.atomic import write_atomically

    data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    except OSError as exc:
        raise InterchangeError(f"Impossible d'écrire le fichier {path} : {exc.strerror}.") from None
