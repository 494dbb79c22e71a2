"""Receiving a submission exactly once, and its signed receipt.

Uniqueness is the database's: a unique (account, submission uuid) constraint, an INSERT … ON CONFLICT,
and a lock per account and edition held until commit (a PostgreSQL advisory lock; on SQLite the one
write lock of BEGIN IMMEDIATE). The receipt number comes from the edition's counter in the same
transaction, so numbers are gapless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import LargeBinary, String, bindparam, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from server import ratelimit
from server.api.models import SubmissionRequest
from server.auth import Account
from server.editions import dossier_faults, is_open
from server.models import Edition, Submission, UTCDateTime
from server.problems import Problem
from server.receipts import utc_stamp
from server.services import Services
from sync import dossier_format
from sync.receipt import receipt_number


@lru_cache(maxsize=1)
def _fast_validator():  # type: ignore[no-untyped-def]
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(dossier_format.SCHEMA_PATH.read_text(encoding="utf-8")))


def validate_dossier(dossier: dict[str, Any]) -> None:
    """The Rust validator says yes ten times faster; on a no, sync's validator names the field in French."""
    if not _fast_validator().is_valid(dossier):
        dossier_format.validate(dossier)
        raise dossier_format.FormatError("le dossier ne suit pas le format d'échange")


NOT_FOUND = "Aucun envoi de ce numéro pour votre collectivité."


@dataclass(frozen=True)
class Outcome:
    created: bool
    receipt: str  # the stored JSON, replayed byte for byte


def _existing(s: Session | None, svc: Services, account: Account, uuid: str) -> Submission | None:
    """The account's submission of that uuid (its hash and receipt), in ``s`` or on its own when None."""
    params = {"collectivity_id": account.collectivity_id, "uuid": uuid}
    row = svc.db.first(SQL.existing, params) if s is None else s.execute(SQL.existing, params).first()
    return None if row is None else Submission(payload_sha256=row.payload_sha256, receipt=row.receipt)


def _replay(found: Submission, body: SubmissionRequest) -> Outcome:
    if found.payload_sha256 != body.payload_sha256:
        raise Problem(
            422,
            "Ce numéro d'envoi a déjà servi pour un autre contenu : rien n'a été modifié. "
            "Validez une nouvelle révision pour envoyer ce contenu.",
        )
    return Outcome(False, found.receipt)


def _check_content(svc: Services, account: Account, body: SubmissionRequest) -> tuple[int, int, bytes]:
    """Everything that does not depend on other submissions; returns (attachment count, bytes, the canonical
    JSON that was hashed — what is stored)."""
    dossier = body.dossier
    try:
        validate_dossier(dossier)
    except dossier_format.FormatError as exc:
        raise Problem(422, f"Dossier invalide : {exc}.") from None
    if dossier["edition"] != body.edition:
        raise Problem(422, f"Le dossier est de l'édition {dossier['edition']}, l'envoi annonce {body.edition}.")
    if dossier.get("revision", body.revision) != body.revision:
        raise Problem(422, f"Le dossier est la révision {dossier['revision']}, l'envoi annonce {body.revision}.")
    canonical = dossier_format.canonical_json(dossier_format.snapshot_body(dossier))
    if dossier_format.sha256_hex(canonical) != body.payload_sha256:
        raise Problem(422, "L'empreinte SHA-256 annoncée ne correspond pas au dossier reçu : rien n'a été enregistré.")
    if dossier["collectivity"]["code"] != account.code:
        raise Problem(403, "Ce dossier est celui d'une autre collectivité que celle de cet appareil.")
    sizes = {a["sha256"]: a["size"] for action in dossier["actions"] for a in action["attachments"]}
    with svc.db.read() as s:
        row = s.execute(SQL.edition, {"id": body.edition}).first()
        if row is None:
            raise Problem(422, f"L'édition {body.edition} n'est pas publiée sur ce serveur.")
        edition = Edition(**row._mapping)  # a plain value: never added to the session
        if not is_open(edition, svc.now().date()):
            raise Problem(422, f"L'édition {body.edition} n'est pas ouverte aux envois.")
        faults = dossier_faults(dossier, edition)
        if faults:
            raise Problem(422, f"Le dossier ne correspond pas à l'édition : {faults[0]}.", errors=faults)
        held = dict(s.execute(SQL.held, {"collectivity_id": account.collectivity_id, "shas": list(sizes)}).all())
    missing = sorted(h for h, size in sizes.items() if held.get(h) != size)
    if missing:
        raise Problem(
            422, f"{len(missing)} pièce(s) jointe(s) manquent sur le serveur : envoyez-les d'abord.", missing=missing
        )
    return len(sizes), sum(sizes.values()), canonical


def submit(svc: Services, account: Account, key: str | None, body: SubmissionRequest) -> Outcome:
    if not key:
        raise Problem(400, "En-tête Idempotency-Key manquant : il doit porter le numéro de l'envoi.")
    if key.strip().lower() != body.submission_uuid:
        raise Problem(400, "L'en-tête Idempotency-Key doit être égal à submission_uuid.")
    found = _existing(None, svc, account, body.submission_uuid)
    if found is not None:  # a retry whose answer was lost: no need to re-check the content
        return _replay(found, body)
    count, size, canonical = _check_content(svc, account, body)
    with svc.db.write() as s:
        if not svc.db.lock(s, f"submission:{account.collectivity_id}:{body.submission_uuid}", wait=False):
            raise Problem(409, "Cet envoi est déjà en cours de traitement : réessayez dans un instant.",
                          headers={"Retry-After": "2"})  # fmt: skip
        svc.db.lock(s, f"chain:{account.collectivity_id}:{body.edition}")
        ratelimit.count_account_request(s, account.collectivity_id, svc.settings.requests_per_account, svc.now())
        found = _existing(s, svc, account, body.submission_uuid)
        if found is not None:
            return _replay(found, body)
        latest = s.execute(SQL.latest, {"collectivity_id": account.collectivity_id, "edition": body.edition}).scalar()
        if body.replaces != latest:
            raise Problem(
                409,
                "Cet envoi ne remplace pas le dernier reçu pour cette édition : "
                "récupérez la liste des envois puis renvoyez la révision la plus récente.",
                latest=latest,
            )
        number = s.execute(SQL.next_number, {"id": body.edition}).scalar_one()
        now = svc.now().replace(microsecond=0)
        receipt = svc.signer.sign({
            "receipt_number": receipt_number(body.edition, number), "submission_uuid": body.submission_uuid,
            "collectivity": {"code": account.code, "name": account.name}, "edition": body.edition,
            "revision": body.revision, "payload_sha256": body.payload_sha256,
            "attachments": {"count": count, "bytes": size}, "received_at": utc_stamp(now),
        })  # fmt: skip
        text = json.dumps(receipt, ensure_ascii=False, sort_keys=True)
        inserted = s.execute(SQL.insert, {
            "collectivity_id": account.collectivity_id, "submission_uuid": body.submission_uuid,
            "edition_id": body.edition, "revision": body.revision, "replaces": body.replaces,
            "payload_sha256": body.payload_sha256, "dossier": canonical, "device_id": account.device_id,
            "received_at": now, "receipt_number": number, "attachment_count": count, "attachment_bytes": size,
            "receipt": text,
        }).scalar_one_or_none()  # fmt: skip
        if inserted is None:  # cannot happen under the lock; never a second row, never a gap
            raise Problem(409, "Cet envoi est déjà en cours de traitement : réessayez dans un instant.")
        return Outcome(True, text)


class SQL:
    """The statements of a submission, as plain SQL valid on SQLite and PostgreSQL: built as expressions they
    cost SQLAlchemy more than the database takes to run them."""

    existing = sql_text(
        "SELECT payload_sha256, receipt FROM submissions"
        " WHERE collectivity_id = :collectivity_id AND submission_uuid = :uuid"
    )
    edition = sql_text(
        "SELECT id, title, sha256, opens, closes, content, published_at, last_receipt FROM editions WHERE id = :id"
    ).columns(*Edition.__table__.c)
    held = sql_text(
        "SELECT sha256, size FROM account_files WHERE collectivity_id = :collectivity_id AND sha256 IN :shas"
    ).bindparams(bindparam("shas", expanding=True, type_=String))
    latest = sql_text(
        "SELECT submission_uuid FROM submissions WHERE collectivity_id = :collectivity_id AND edition_id = :edition"
        " ORDER BY id DESC LIMIT 1"
    )
    next_number = sql_text("UPDATE editions SET last_receipt = last_receipt + 1 WHERE id = :id RETURNING last_receipt")
    _columns = (
        "collectivity_id", "submission_uuid", "edition_id", "revision", "replaces", "payload_sha256", "dossier",
        "device_id", "received_at", "receipt_number", "attachment_count", "attachment_bytes", "receipt",
    )  # fmt: skip
    insert = sql_text(
        f"INSERT INTO submissions ({', '.join(_columns)}) VALUES ({', '.join(':' + c for c in _columns)})"
        " ON CONFLICT (collectivity_id, submission_uuid) DO NOTHING RETURNING id"
    ).bindparams(bindparam("received_at", type_=UTCDateTime), bindparam("dossier", type_=LargeBinary))


def receipt_of(svc: Services, account: Account, uuid: str) -> str:
    found = _existing(None, svc, account, uuid.lower())
    if found is None:
        raise Problem(404, NOT_FOUND)
    return found.receipt


def receipts(svc: Services, account: Account, edition: str | None) -> list[dict[str, Any]]:
    query = select(Submission.receipt).where(Submission.collectivity_id == account.collectivity_id)
    if edition is not None:
        query = query.where(Submission.edition_id == edition)
    with svc.db.read() as s:
        return [json.loads(r) for r in s.execute(query.order_by(Submission.id)).scalars()]
