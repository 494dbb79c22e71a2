"""The FastAPI application factory: settings, store, blob store, signer and clock come in from outside."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import problems
from server.blobs import open_blob_store
from server.db import Database
from server.depot import session as depot_session
from server.receipts import Signer
from server.services import Clock, Services, utc_now
from server.settings import Settings
from sync.bundle_format import MAX_BUNDLE_BYTES
from sync.protocol import API_PREFIX, MAX_ATTACHMENT_BYTES, PROBLEM_CONTENT_TYPE, TUS_VERSION

DESCRIPTION = """API du serveur de l'association Villes Internet pour Arobase : enrôlement des appareils,
éditions du questionnaire, pièces jointes (tus 1.0), envois de dossiers reçus une seule fois et accusés de
réception signés (Ed25519). Toute erreur est un `application/problem+json` (RFC 9457) au `detail` en français."""


class BodyLimit:
    """413 before a byte is parsed when a request is larger than the endpoint takes, even chunked."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    def _limit(self, path: str) -> int:
        if path.startswith(f"{API_PREFIX}/uploads"):
            return min(self.services.settings.max_upload_bytes, MAX_ATTACHMENT_BYTES) + 64 * 1024
        if path == depot_session.UPLOAD:  # a whole .arobase file, its entries checked one by one against the limits
            return MAX_BUNDLE_BYTES + 1024 * 1024
        return self.services.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:  # handled by the app's problem handler (FastAPI lets HTTPException through)
                raise HTTPException(413, f"Requête trop volumineuse : {limit} octets au plus.")
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        detail = f"Requête trop volumineuse : {limit} octets au plus."
        if scope["path"].startswith(depot_session.PATH):  # a browser: a page, not problem+json
            from server.depot.routes import too_large_page

            await too_large_page(detail)({"type": "http"}, _no_receive, send)
            return
        response = problems.problem_response(413, detail)
        if scope["path"].startswith(f"{API_PREFIX}/uploads"):
            response.headers["Tus-Resumable"] = TUS_VERSION
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class TusHeader:
    """Tus-Resumable on every answer under /uploads (the tus core asks for it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(f"{API_PREFIX}/uploads"):
            await self.app(scope, receive, send)
            return

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"tus-resumable"]
                message = {**message, "headers": [*headers, (b"tus-resumable", TUS_VERSION.encode())]}
            await send(message)

        await self.app(scope, receive, send_with)


# FastAPI's OpenTelemetry hooks stay off: no exporter is ours to configure, an environment variable on the
# host must not start shipping exception messages elsewhere, and asking whether telemetry is on costs every
# request three lookups in os.environ.
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False, "metrics": False, "logs": False, "operation_spans": False, "auto_configure": False,
}  # fmt: skip


def create_app(services: Services) -> FastAPI:
    from server.api import devices, editions, keys, submissions, uploads

    app = FastAPI(
        title="Arobase — serveur de l'association",
        version="1",
        description=DESCRIPTION,
        docs_url="/api/v1/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
        telemetry=NO_TELEMETRY,
    )
    app.state.services = services
    problems.install(app)
    for module in (devices, editions, uploads, submissions, keys):
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_middleware(TusHeader)
    app.add_middleware(BodyLimit, services=services)
    _document_problems(app)
    from server.depot import routes as depot_pages
    from server.staff import routes as staff_pages

    staff_pages.install(app)
    depot_pages.install(app)
    return app


def _document_problems(app: FastAPI) -> None:
    """FastAPI documents 422 as its own shape; ours is a problem, like every other error."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                answer = operation.get("responses", {}).get("422")
                if answer is not None:
                    answer["content"] = {
                        PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemModel"}}
                    }
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_services(settings: Settings, clock: Clock = utc_now) -> Services:
    return Services(
        settings=settings,
        db=Database(settings.database_url),
        blobs=open_blob_store(settings.blobs),
        signer=Signer.load(settings.signing_key_path),
        clock=clock,
    )


def app_from_env() -> FastAPI:
    """uvicorn's factory (``server.app:app_from_env``): each worker builds its own from the environment."""
    return create_app(build_services(Settings.from_env()))
