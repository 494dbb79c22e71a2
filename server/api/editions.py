"""Questionnaire editions, with ETags so a client on a slow line downloads each only once."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from server.api.models import EditionSummary
from server.models import Edition
from server.problems import Problem, responses
from server.services import services_of
from sync.dossier_format import canonical_json, sha256_hex

router = APIRouter(tags=["éditions"])
EDITION_EXAMPLE = {"edition": "2019", "title": "Label 2019", "opens": None, "closes": None, "notes": [],
                   "themes": [], "levels": [], "epci_criteria": []}  # fmt: skip


def summary(e: Edition) -> EditionSummary:
    return EditionSummary(id=e.id, title=e.title, sha256=e.sha256, opens=e.opens, closes=e.closes)


def _matches(request: Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, "*", f"W/{etag}") for tag in wanted.split(","))


def _list(request: Request) -> list[EditionSummary]:
    with services_of(request).db.read() as s:
        return [summary(e) for e in s.execute(select(Edition).order_by(Edition.id)).scalars()]


@router.get("/editions", response_model=list[EditionSummary], responses={304: {"description": "Not Modified"}})
async def list_editions(request: Request, response: Response) -> list[EditionSummary] | Response:
    """Every published edition (older ones stay accepted while open)."""
    items = await run_in_threadpool(_list, request)
    etag = '"' + sha256_hex(canonical_json([i.model_dump(mode="json") for i in items])) + '"'
    if _matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return items


def _get(request: Request, edition_id: str) -> Edition | None:
    with services_of(request).db.read() as s:
        return s.get(Edition, edition_id)


@router.get(
    "/editions/{edition_id}",
    responses={
        200: {"description": "Le fichier de l'édition (forme canonique)",
              "content": {"application/json": {"schema": {"type": "object"}, "example": EDITION_EXAMPLE}}},
        304: {"description": "Not Modified"},
        **responses(404),
    },
)  # fmt: skip
async def get_edition(edition_id: str, request: Request) -> Response:
    """The edition file, byte for byte what its sha256 names; If-None-Match answers 304."""
    edition = await run_in_threadpool(_get, request, edition_id)
    if edition is None:
        raise Problem(404, f"Aucune édition « {edition_id[:40]} » n'est publiée sur ce serveur.")
    etag = f'"{edition.sha256}"'
    if _matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(edition.content, media_type="application/json", headers={"ETag": etag})
