"""The /depot pages: sign in with an activation code, drop the .arobase file, get the signed receipt as a file.

Plain server-rendered French HTML like the staff pages (server/templates/depot-*.html). The sign-in form's
CSRF token is a double-submit cookie; once signed in, every form carries the session's token. The upload is
parsed by starlette (python-multipart, spooled to a temporary file within the request size limit of
``server.app.BodyLimit``), then handed to ``intake.receive`` off the event loop.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from server import submissions
from server.depot import intake, session
from server.depot.session import COOKIE, LOGIN_COOKIE, PATH, UPLOAD, DepotUser, current
from server.problems import Problem
from server.services import services_of
from server.web import bare_page, check_csrf, cookie_options, page

UUID_PATH = "{submission_uuid:uuid}"
EXPIRED = "Votre connexion a pris fin (elle dure une heure au plus) : reconnectez-vous pour déposer l'envoi."
NOT_A_FILE = "Choisissez le fichier .arobase de l'envoi (sur la clé USB), puis cliquez sur « Déposer l'envoi »."


def install(app: FastAPI) -> None:
    app.include_router(_router(), include_in_schema=False)


def too_large_page(detail: str) -> HTMLResponse:
    """The 413 the body limit sends before routing, as a page of this site."""
    return bare_page("depot-erreur.html", 413, message=f"Fichier trop volumineux pour un envoi. {detail}")


def _sign_in_page(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = page(request, "depot-connexion.html", status=status, csrf_token=token, error=error)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_options(request, PATH))
    return response


def _received_at(stamp: str) -> str:
    """The receipt's UTC time, shown in the town hall's time (mainland France)."""
    from zoneinfo import ZoneInfo

    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").astimezone(ZoneInfo("Europe/Paris"))
    return moment.strftime("%d/%m/%Y à %H:%M:%S")


def _filename(receipt: dict[str, Any]) -> str:
    return f"accuse-{receipt['receipt_number']}.json"


def _router() -> APIRouter:
    router = APIRouter(prefix=PATH)

    def upload_page(request: Request, user: DepotUser, status: int = 200, error: str | None = None) -> HTMLResponse:
        found = submissions.receipts(services_of(request), user.account, None)[::-1]
        received = [{**r, "shown": _received_at(r["received_at"])} for r in found]
        return page(request, "depot-envoi.html", status=status, depot=user, error=error, received=received)

    @router.get("", response_class=HTMLResponse)
    async def home(request: Request, expiree: str = "") -> HTMLResponse:
        user = await run_in_threadpool(current, request)
        if user is None:
            return _sign_in_page(request, error=EXPIRED if expiree else None)
        return await run_in_threadpool(upload_page, request, user)

    @router.post("/connexion", response_class=HTMLResponse)
    async def login(request: Request, code: str = Form(""), csrf_token: str = Form("")) -> Response:
        try:
            check_csrf(request.cookies.get(LOGIN_COOKIE, ""), csrf_token)
            token = await run_in_threadpool(session.sign_in, services_of(request), request, code[:100])
        except Problem as exc:
            refused = _sign_in_page(request, exc.status, exc.detail)
            refused.headers.update(exc.headers)  # Retry-After on 429
            return refused
        response = RedirectResponse(PATH, status_code=303)
        response.set_cookie(COOKIE, token, max_age=session.SESSION_TTL, **cookie_options(request, PATH))
        response.delete_cookie(LOGIN_COOKIE, path=PATH)
        return response

    @router.post("/deconnexion")
    async def logout(request: Request, csrf_token: str = Form("")) -> Response:
        user = await run_in_threadpool(current, request)
        if user is not None:
            try:
                check_csrf(user.csrf_token, csrf_token)
            except Problem as exc:
                return page(request, "depot-erreur.html", status=exc.status, depot=user, message=exc.detail)
            await run_in_threadpool(session.sign_out, services_of(request), user)
        response = RedirectResponse(PATH, status_code=303)
        response.delete_cookie(COOKIE, path=PATH)
        return response

    @router.post(UPLOAD.removeprefix(PATH), response_class=HTMLResponse)
    async def drop(request: Request) -> Response:
        svc, user = services_of(request), await run_in_threadpool(current, request)
        if user is None:  # never parse a stranger's upload
            return RedirectResponse(f"{PATH}?expiree=1", status_code=303)
        try:
            async with request.form(max_files=1, max_fields=4) as form:
                check_csrf(user.csrf_token, str(form.get("csrf_token") or ""))
                upload = form.get("fichier")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise Problem(422, NOT_A_FILE)
                label = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:120]
                outcome = await run_in_threadpool(intake.receive, svc, user.account, upload.file, label)
        except HTTPException as exc:  # the body limit, or a form that is not multipart
            detail = exc.detail if exc.status_code == 413 else NOT_A_FILE
            return await run_in_threadpool(upload_page, request, user, exc.status_code, detail)
        except Problem as exc:
            return await run_in_threadpool(upload_page, request, user, exc.status, exc.detail)
        uuid = json.loads(outcome.receipt)["submission_uuid"]
        again = "" if outcome.created else "?deja=1"
        return RedirectResponse(f"{PATH}/envois/{uuid}{again}", status_code=303)

    async def receipt_of(request: Request, user: DepotUser, submission_uuid: str) -> str:
        return await run_in_threadpool(submissions.receipt_of, services_of(request), user.account, submission_uuid)

    @router.get(f"/envois/{UUID_PATH}", response_class=HTMLResponse)
    async def received(request: Request, submission_uuid: Any, deja: str = "") -> Response:
        user = await run_in_threadpool(current, request)
        if user is None:
            return RedirectResponse(PATH, status_code=303)
        try:
            receipt = json.loads(await receipt_of(request, user, str(submission_uuid)))
        except Problem as exc:
            return page(request, "depot-erreur.html", status=exc.status, depot=user, message=exc.detail)
        return page(request, "depot-accuse.html", depot=user, receipt=receipt, again=bool(deja),
                    received=_received_at(receipt["received_at"]), filename=_filename(receipt))  # fmt: skip

    @router.get(f"/envois/{UUID_PATH}/accuse")
    async def receipt_file(request: Request, submission_uuid: Any) -> Response:
        """The stored receipt, byte for byte what GET /api/v1/submissions/{uuid} gives: what
        ``arobase receipt --import`` reads."""
        user = await run_in_threadpool(current, request)
        if user is None:
            return RedirectResponse(PATH, status_code=303)
        try:
            text = await receipt_of(request, user, str(submission_uuid))
        except Problem as exc:
            return page(request, "depot-erreur.html", status=exc.status, depot=user, message=exc.detail)
        name = _filename(json.loads(text))
        return Response(text.encode("utf-8"), media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        })  # fmt: skip

    return router
