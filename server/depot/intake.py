"""Receiving a dropped bundle through the API's own path: checked by ``sync.bundle_format`` against the server's
configured limits, its attachments held like finished tus uploads, then ``submissions.submit`` under the
bundle's submission uuid (exactly once: the database's unique constraint and lock, never a check then insert)."""

from __future__ import annotations

from typing import IO

from pydantic import ValidationError
from sqlalchemy import select

from server import ratelimit, submissions
from server.api.models import SubmissionRequest
from server.auth import Account
from server.models import AccountFile
from server.problems import Problem
from server.services import Services
from server.uploads import hold_file
from sync.bundle_format import BODY, BundleFormatError, BundleReader, Limits, open_bundle
from sync.protocol import MAX_ATTACHMENT_BYTES


def limits(svc: Services) -> Limits:
    upload = min(svc.settings.max_upload_bytes, MAX_ATTACHMENT_BYTES)
    return Limits(body_bytes=svc.settings.max_body_bytes, attachment_bytes=upload)


def receive(svc: Services, account: Account, source: IO[bytes], label: str) -> submissions.Outcome:
    try:
        with open_bundle(source, label, limits(svc)) as bundle:
            body = _request(bundle, account)
            bundle.verify()  # every attachment's SHA-256 before anything is kept
            _hold_pieces(svc, account, bundle)
    except BundleFormatError as exc:
        raise Problem(413 if exc.too_large else 422, exc.message) from None
    return submissions.submit(svc, account, body.submission_uuid, body)


def _request(bundle: BundleReader, account: Account) -> SubmissionRequest:
    collectivity = bundle.body["dossier"].get("collectivity")
    code = str(collectivity.get("code", "")) if isinstance(collectivity, dict) else ""
    if code != account.code:
        raise Problem(
            403,
            f"Ce fichier est l'envoi de la collectivité {code}, vous êtes connecté pour {account.name} "
            f"({account.code}) : rien n'a été reçu. Connectez-vous avec un code d'activation de {code}.",
        )
    try:
        return SubmissionRequest.model_validate(bundle.body)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "(racine)"
        raise Problem(422, f"Envoi refusé : « {BODY} » n'est pas un envoi valide (champ « {where} »).") from None


def _hold_pieces(svc: Services, account: Account, bundle: BundleReader) -> None:
    """The pieces the account does not hold yet, one short transaction each (one counted request per drop)."""
    with svc.db.write() as s:
        ratelimit.count_account_request(s, account.collectivity_id, svc.settings.requests_per_account, svc.now())
        query = select(AccountFile.sha256).where(
            AccountFile.collectivity_id == account.collectivity_id, AccountFile.sha256.in_(list(bundle.pieces))
        )
        held = set(s.execute(query).scalars())
    for sha in bundle.pieces:
        if sha not in held:
            data = bundle.piece(sha)
            with svc.db.write() as s:
                hold_file(s, svc, account.collectivity_id, sha, data, svc.now())
