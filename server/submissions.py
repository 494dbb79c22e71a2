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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server import ratelimit
from server.api.models import SubmissionRequest
from server.auth import Account
from server.db import insert_for
from server.editions import dossier_faults, is_open
from server.models import AccountFile, Edition, Submission
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


def _existing(s: Session, account: Account, uuid: str) -> Submission | None:
    return s.execute(
        select(Submission).where(
            Submission.collectivity_id == account.collectivity_id, Submission.submission_uuid == uuid
        )
    ).scalar_one_or_none()


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
        edition = s.get(Edition, body.edition)
        if edition is None:
            raise Problem(422, f"L'édition {body.edition} n'est pas publiée sur ce serveur.")
        if not is_open(edition, svc.now().date()):
            raise Problem(422, f"L'édition {body.edition} n'est pas ouverte aux envois.")
        faults = dossier_faults(dossier, edition)
        if faults:
            raise Problem(422, f"Le dossier ne correspond pas à l'édition : {faults[0]}.", errors=faults)
        held = dict(
            s.execute(
                select(AccountFile.sha256, AccountFile.size).where(
                    AccountFile.collectivity_id == account.collectivity_id, AccountFile.sha256.in_(list(sizes))
                )
            ).all()
        )
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
    with svc.db.read() as s:
        found = _existing(s, account, body.submission_uuid)
    if found is not None:  # a retry whose answer was lost: no need to re-check the content
        return _replay(found, body)
    count, size, canonical = _check_content(svc, account, body)
    with svc.db.write() as s:
        if not svc.db.lock(s, f"submission:{account.collectivity_id}:{body.submission_uuid}", wait=False):
            raise Problem(409, "Cet envoi est déjà en cours de traitement : réessayez dans un instant.",
                          headers={"Retry-After": "2"})  # fmt: skip
        svc.db.lock(s, f"chain:{account.collectivity_id}:{body.edition}")
        ratelimit.count_account_request(s, account.collectivity_id, svc.settings.requests_per_account, svc.now())
        found = _existing(s, account, body.submission_uuid)
        if found is not None:
            return _replay(found, body)
        latest = s.execute(
            select(Submission.submission_uuid)
            .where(Submission.collectivity_id == account.collectivity_id, Submission.edition_id == body.edition)
            .order_by(Submission.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if body.replaces != latest:
            raise Problem(
                409,
                "Cet envoi ne remplace pas le dernier reçu pour cette édition : "
                "récupérez la liste des envois puis renvoyez la révision la plus récente.",
                latest=latest,
            )
        number = s.execute(
            update(Edition).where(Edition.id == body.edition).values(last_receipt=Edition.last_receipt + 1)
            .returning(Edition.last_receipt)
        ).scalar_one()  # fmt: skip
        now = svc.now().replace(microsecond=0)
        receipt = svc.signer.sign({
            "receipt_number": receipt_number(body.edition, number), "submission_uuid": body.submission_uuid,
            "collectivity": {"code": account.code, "name": account.name}, "edition": body.edition,
            "revision": body.revision, "payload_sha256": body.payload_sha256,
            "attachments": {"count": count, "bytes": size}, "received_at": utc_stamp(now),
        })  # fmt: skip
        text = json.dumps(receipt, ensure_ascii=False, sort_keys=True)
        inserted = s.execute(
            insert_for(s, Submission)
            .values(
                collectivity_id=account.collectivity_id, submission_uuid=body.submission_uuid, edition_id=body.edition,
                revision=body.revision, replaces=body.replaces, payload_sha256=body.payload_sha256, dossier=canonical,
                device_id=account.device_id, received_at=now, receipt_number=number, attachment_count=count,
                attachment_bytes=size, receipt=text,
            )
            .on_conflict_do_nothing(index_elements=["collectivity_id", "submission_uuid"])
            .returning(Submission.id)
        ).scalar_one_or_none()  # fmt: skip
        if inserted is None:  # cannot happen under the lock; never a second row, never a gap
            raise Problem(409, "Cet envoi est déjà en cours de traitement : réessayez dans un instant.")
        return Outcome(True, text)


def receipt_of(svc: Services, account: Account, uuid: str) -> str:
    with svc.db.read() as s:
        found = _existing(s, account, uuid.lower())
    if found is None:
        raise Problem(404, NOT_FOUND)
    return found.receipt


def receipts(svc: Services, account: Account, edition: str | None) -> list[dict[str, Any]]:
    query = select(Submission.receipt).where(Submission.collectivity_id == account.collectivity_id)
    if edition is not None:
        query = query.where(Submission.edition_id == edition)
    with svc.db.read() as s:
        return [json.loads(r) for r in s.execute(query.order_by(Submission.id)).scalars()]
