"""Submissions: preflight, exactly-once POST with Idempotency-Key, receipts to reconcile."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from server import submissions
from server.api.models import EDITION_PATTERN, EXAMPLE_UUID, Receipt, SubmissionList, SubmissionRequest
from server.auth import Account, current_account
from server.problems import responses
from server.services import services_of
from sync.protocol import HEADER_MAX_BODY, HEADER_PROTOCOL, PROTOCOL_VERSION

router = APIRouter(prefix="/submissions", tags=["envois"])
AUTH = Depends(current_account)
RECEIPT_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}}


@router.head(
    "",
    status_code=204,
    responses={204: {"description": "Serveur Arobase", "headers": {
        HEADER_PROTOCOL: {"schema": {"type": "string"}, "description": "version du protocole", "example": "1"},
        HEADER_MAX_BODY: {"schema": {"type": "integer"}, "description": "taille maximale d'un envoi en octets",
                          "example": 16777216},
    }}},
)  # fmt: skip
async def preflight(request: Request) -> Response:
    """Tells a client it reached an Arobase server (a captive portal answers 200 with HTML)."""
    settings = services_of(request).settings
    return Response(
        status_code=204, headers={HEADER_PROTOCOL: PROTOCOL_VERSION, HEADER_MAX_BODY: str(settings.max_body_bytes)}
    )


@router.post(
    "",
    status_code=201,
    response_model=Receipt,
    responses={
        200: {"description": "Déjà reçu : le même accusé de réception", "content": RECEIPT_CONTENT},
        **responses(400, 401, 403, 409, 413, 422, 429),
    },
)
async def submit(
    body: SubmissionRequest,
    request: Request,
    account: Account = AUTH,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", examples=[EXAMPLE_UUID]),
) -> Response:
    """Send one validated revision; the same key and payload again answers 200 with the same receipt."""
    outcome = await run_in_threadpool(submissions.submit, services_of(request), account, idempotency_key, body)
    return Response(
        outcome.receipt,
        status_code=201 if outcome.created else 200,
        media_type="application/json",
        headers={"Location": f"{request.scope['path']}/{body.submission_uuid}"},
    )


@router.get("", response_model=SubmissionList, responses=responses(401, 422))
async def list_submissions(
    request: Request,
    account: Account = AUTH,
    edition: str | None = Query(None, pattern=EDITION_PATTERN, examples=["2019"]),
) -> SubmissionList:
    """This account's own receipts, oldest first (optionally for one edition)."""
    found = await run_in_threadpool(submissions.receipts, services_of(request), account, edition)
    return SubmissionList(submissions=[Receipt(**r) for r in found])


@router.get("/{submission_uuid}", response_model=Receipt, responses=responses(401, 404))
async def get_receipt(submission_uuid: str, request: Request, account: Account = AUTH) -> Response:
    """The receipt of one of this account's submissions: lets a client that lost an answer reconcile."""
    text = await run_in_threadpool(submissions.receipt_of, services_of(request), account, submission_uuid)
    return Response(text, media_type="application/json")
