"""The tus 1.0 endpoints (core, creation, checksum, termination, expiration) at /api/v1/uploads."""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from server import uploads
from server.auth import Account, current_account
from server.models import Upload
from server.problems import Problem, responses
from server.services import services_of
from sync.protocol import (
    MAX_ATTACHMENT_BYTES,
    TUS_CHECKSUM_ALGORITHM,
    TUS_CONTENT_TYPE,
    TUS_EXTENSIONS,
    TUS_VERSION,
)

router = APIRouter(prefix="/uploads", tags=["pièces jointes (tus 1.0)"])
AUTH = Depends(current_account)
CHECKSUM_EXAMPLE = "sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
TUS_HEADER = Header(None, alias="Tus-Resumable", description="1.0.0", examples=["1.0.0"])
PATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {TUS_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _require_tus(version: str | None) -> None:
    if version != TUS_VERSION:
        raise Problem(412, "Protocole tus 1.0.0 attendu (en-tête Tus-Resumable).", headers={"Tus-Version": TUS_VERSION})


def _headers(upload: Upload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset), "Cache-Control": "no-store"}
    if upload.completed_at is None:
        headers["Upload-Expires"] = format_datetime(upload.expires_at, usegmt=True)
    return headers


@router.options("", status_code=204)
async def tus_options(request: Request) -> Response:
    """What this tus server supports."""
    limit = min(services_of(request).settings.max_upload_bytes, MAX_ATTACHMENT_BYTES)
    return Response(status_code=204, headers={
        "Tus-Version": TUS_VERSION, "Tus-Extension": ",".join(TUS_EXTENSIONS),
        "Tus-Max-Size": str(limit), "Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHM,
    })  # fmt: skip


@router.post("", status_code=201, responses={201: {"description": "Created"}, **responses(400, 401, 412, 413, 429)})
async def create_upload(
    request: Request,
    account: Account = AUTH,
    tus_resumable: str | None = TUS_HEADER,
    upload_length: str | None = Header(None, alias="Upload-Length", examples=["183204"]),
    upload_metadata: str | None = Header(None, alias="Upload-Metadata", examples=["sha256 ODA5NjI4Mzlm…"]),
) -> Response:
    """Start an upload; ``Upload-Metadata`` must carry ``sha256`` (hex, base64-encoded as tus wants)."""
    _require_tus(tus_resumable)
    length = uploads.parse_length(upload_length, "Upload-Length")
    metadata = uploads.parse_metadata(upload_metadata or "")
    upload = await run_in_threadpool(uploads.create, services_of(request), account, length, metadata)
    # scope["path"] is request.url.path without building the whole URL (host header parsed), at every upload
    return Response(status_code=201, headers={"Location": f"{request.scope['path']}/{upload.id}", **_headers(upload)})


@router.head("/{upload_id}", responses={200: {"description": "OK"}, **responses(401, 404, 410, 412)})
async def upload_status(
    upload_id: str, request: Request, account: Account = AUTH, tus_resumable: str | None = TUS_HEADER
) -> Response:
    """How many bytes the server holds (``Upload-Offset``): resume from there."""
    _require_tus(tus_resumable)
    upload = await run_in_threadpool(uploads.status, services_of(request), account, upload_id)
    return Response(status_code=200, headers={"Upload-Length": str(upload.length), **_headers(upload)})


async def _read_body(request: Request, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` + 1 bytes of the body, and whether it arrived whole."""
    data = bytearray()
    try:
        async for piece in request.stream():
            data += piece
            if len(data) > limit:
                break
    except ClientDisconnect:
        return bytes(data), False
    return bytes(data), True


async def _patch(
    upload_id: str, request: Request, account: Account, tus_resumable: str | None, content_type: str | None,
    upload_offset: str | None, upload_checksum: str | None,
) -> Response:  # fmt: skip
    _require_tus(tus_resumable)
    if (content_type or "").split(";")[0].strip().lower() != TUS_CONTENT_TYPE:
        raise Problem(415, f"Type de contenu {TUS_CONTENT_TYPE} attendu.")
    offset = uploads.parse_length(upload_offset, "Upload-Offset")
    svc = services_of(request)
    data, whole = await _read_body(request, min(svc.settings.max_upload_bytes, MAX_ATTACHMENT_BYTES))
    if not whole and upload_checksum is not None:
        raise Problem(400, "Morceau interrompu : renvoyez-le depuis le décalage indiqué par HEAD.")
    uploads.check_chunk(upload_checksum, data)
    upload = await run_in_threadpool(uploads.append, svc, account, upload_id, offset, data)
    return Response(status_code=204, headers=_headers(upload))


PATCH_RESPONSES = {204: {"description": "No Content"}, **responses(400, 401, 404, 409, 410, 412, 413, 415, 460)}


@router.patch("/{upload_id}", status_code=204, responses=PATCH_RESPONSES, openapi_extra=PATCH_BODY)
async def append_upload(
    upload_id: str,
    request: Request,
    account: Account = AUTH,
    tus_resumable: str | None = TUS_HEADER,
    content_type: str | None = Header(None, alias="Content-Type"),
    upload_offset: str | None = Header(None, alias="Upload-Offset", examples=["0"]),
    upload_checksum: str | None = Header(None, alias="Upload-Checksum", examples=[CHECKSUM_EXAMPLE]),
) -> Response:  # fmt: skip
    """Append bytes at ``Upload-Offset`` (409 if it is not the server's); ``Upload-Checksum: sha256 …`` (460)."""
    return await _patch(upload_id, request, account, tus_resumable, content_type, upload_offset, upload_checksum)


@router.post("/{upload_id}", status_code=204, responses=PATCH_RESPONSES | responses(405), openapi_extra=PATCH_BODY)
async def append_upload_override(
    upload_id: str,
    request: Request,
    account: Account = AUTH,
    override: str | None = Header(None, alias="X-HTTP-Method-Override", examples=["PATCH"]),
    tus_resumable: str | None = TUS_HEADER,
    content_type: str | None = Header(None, alias="Content-Type"),
    upload_offset: str | None = Header(None, alias="Upload-Offset", examples=["0"]),
    upload_checksum: str | None = Header(None, alias="Upload-Checksum"),
) -> Response:  # fmt: skip
    """PATCH for proxies that block it: POST with ``X-HTTP-Method-Override: PATCH``."""
    if (override or "").upper() != "PATCH":
        raise Problem(405, "Utilisez PATCH, ou POST avec l'en-tête X-HTTP-Method-Override: PATCH.")
    return await _patch(upload_id, request, account, tus_resumable, content_type, upload_offset, upload_checksum)


@router.delete("/{upload_id}", status_code=204, responses=responses(401, 404, 412))
async def terminate_upload(
    upload_id: str, request: Request, account: Account = AUTH, tus_resumable: str | None = TUS_HEADER
) -> Response:
    """Abandon an upload (termination extension); files already completed stay the account's."""
    _require_tus(tus_resumable)
    await run_in_threadpool(uploads.terminate, services_of(request), account, upload_id)
    return Response(status_code=204)
