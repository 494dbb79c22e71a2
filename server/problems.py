"""RFC 9457 problem details: every error the API gives is application/problem+json with a French detail."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import PROBLEM_CONTENT_TYPE, TUS_CHECKSUM_MISMATCH, TUS_VERSION

TITLES = {TUS_CHECKSUM_MISMATCH: "Checksum Mismatch"}


class ProblemModel(BaseModel):
    """The body of every error answer (extension members such as ``missing`` may follow)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "about:blank", "title": "Not Found", "status": 404,
        "detail": "Aucun envoi de ce numéro pour votre collectivité.",
    }]})  # fmt: skip
    type: str = "about:blank"
    title: str
    status: int
    detail: str


class Problem(Exception):
    """Raise anywhere in a request: becomes a problem+json answer."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    title = TITLES.get(status) or HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers an endpoint can give."""
    return {
        s: {"model": ProblemModel, "description": TITLES.get(s) or HTTPStatus(s).phrase, "content": {
            PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}}
        for s in statuses
    }  # fmt: skip


_GENERIC = {
    400: "La requête est mal formée.",
    401: "Authentification requise : reconnectez l'appareil.",
    404: "Cette adresse n'existe pas sur le serveur Arobase.",
    405: "Cette méthode n'est pas acceptée à cette adresse.",
    413: "La requête est trop volumineuse.",
    415: "Type de contenu non pris en charge.",
}


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "(corps)"


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        headers = dict(exc.headers)
        if request.url.path.startswith("/api/v1/uploads"):
            headers.setdefault("Tus-Resumable", TUS_VERSION)
        return problem_response(exc.status, exc.detail, headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": ""}
        detail = f"Requête invalide : champ « {_where(tuple(first.get('loc', ())))} » incorrect ou manquant."
        return problem_response(422, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        own = isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
        detail = exc.detail if own else None
        return problem_response(exc.status_code, detail or _GENERIC.get(exc.status_code, "Erreur."), exc.headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        request.app.state.services.log_internal(request, exc)
        return problem_response(500, "Erreur interne du serveur ; réessayez plus tard. L'association est prévenue.")
