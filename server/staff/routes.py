"""The staff pages under /equipe: collectivities, one dossier, receipts, membership, CSV of an edition."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from server import accounts
from server.problems import Problem
from server.services import services_of
from server.staff import session, views
from server.staff.session import COOKIE, LOGIN_COOKIE, StaffUser, current_staff
from server.web import check_csrf, cookie_options, page

PATH = "/equipe"


def install(app: FastAPI) -> None:
    app.include_router(_router(), include_in_schema=False)

    @app.exception_handler(session.NotSignedIn)
    async def _sign_in_first(request: Request, exc: session.NotSignedIn) -> Response:
        target = "/equipe/mot-de-passe" if isinstance(exc, _ChangePassword) else "/equipe/connexion"
        return RedirectResponse(target, status_code=303)


def _router() -> APIRouter:
    router = APIRouter(prefix=PATH)

    def refused(request: Request, exc: Problem) -> HTMLResponse:
        return page(request, "erreur.html", status=exc.status, message=exc.detail)

    def staff(request: Request, *, allow_provisional: bool = False) -> StaffUser:
        user = current_staff(request)
        if user.must_change_password and not allow_provisional:
            raise _ChangePassword
        return user

    @router.get("/connexion", response_class=HTMLResponse)
    async def login_form(request: Request) -> HTMLResponse:
        token = secrets.token_urlsafe(32)
        response = page(request, "connexion.html", csrf_token=token, error=None)
        response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_options(request, PATH))  # type: ignore[arg-type]
        return response

    @router.post("/connexion", response_class=HTMLResponse)
    async def login(
        request: Request, email: str = Form(""), password: str = Form(""), csrf_token: str = Form("")
    ) -> Response:
        try:
            check_csrf(request.cookies.get(LOGIN_COOKIE, ""), csrf_token)
            token = await run_in_threadpool(session.sign_in, services_of(request), request, email, password)
        except Problem as exc:
            return refused(request, exc)
        if token is None:
            fresh = secrets.token_urlsafe(32)
            response = page(request, "connexion.html", status=401, csrf_token=fresh,
                            error="Adresse ou mot de passe incorrect.")  # fmt: skip
            response.set_cookie(LOGIN_COOKIE, fresh, max_age=3600, **cookie_options(request, PATH))  # type: ignore[arg-type]
            return response
        response = RedirectResponse("/equipe/", status_code=303)
        response.set_cookie(COOKIE, token, max_age=session.SESSION_TTL, **cookie_options(request, PATH))  # type: ignore[arg-type]
        response.delete_cookie(LOGIN_COOKIE, path="/equipe")
        return response

    @router.post("/deconnexion")
    async def logout(request: Request, csrf_token: str = Form("")) -> Response:
        user = current_staff(request)
        try:
            check_csrf(user.csrf_token, csrf_token)
        except Problem as exc:
            return refused(request, exc)
        await run_in_threadpool(session.sign_out, services_of(request), request)
        response = RedirectResponse("/equipe/connexion", status_code=303)
        response.delete_cookie(COOKIE, path="/equipe")
        return response

    @router.get("/mot-de-passe", response_class=HTMLResponse)
    async def password_form(request: Request) -> HTMLResponse:
        user = staff(request, allow_provisional=True)
        return page(request, "mot-de-passe.html", user=user, error=None)

    @router.post("/mot-de-passe", response_class=HTMLResponse)
    async def password_change(
        request: Request, current: str = Form(""), new: str = Form(""), csrf_token: str = Form("")
    ) -> Response:
        user = staff(request, allow_provisional=True)
        try:
            check_csrf(user.csrf_token, csrf_token)
        except Problem as exc:
            return refused(request, exc)
        error = await run_in_threadpool(session.change_password, services_of(request), user, current, new)
        if error:
            return page(request, "mot-de-passe.html", status=422, user=user, error=error)
        return RedirectResponse("/equipe/", status_code=303)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        user = staff(request)
        svc = services_of(request)
        year = svc.now().year
        rows, editions = await run_in_threadpool(views.collectivities, svc.db, year)
        return page(request, "collectivites.html", user=user, rows=rows, editions=editions, year=year)

    @router.post("/collectivites/{collectivity_id}/adhesion")
    async def membership(
        request: Request, collectivity_id: int, year: int = Form(...), member: str = Form(""),
        csrf_token: str = Form(""),
    ) -> Response:  # fmt: skip
        user = staff(request)
        try:
            check_csrf(user.csrf_token, csrf_token)
        except Problem as exc:
            return refused(request, exc)
        svc = services_of(request)

        def work() -> None:
            with svc.db.write() as s:
                accounts.set_membership(s, collectivity_id, year, member == "oui", user.email, svc.now())

        await run_in_threadpool(work)
        return RedirectResponse("/equipe/", status_code=303)

    @router.get("/envois/{submission_id}", response_class=HTMLResponse)
    async def dossier(request: Request, submission_id: int) -> HTMLResponse:
        user = staff(request)
        view = await run_in_threadpool(views.dossier, services_of(request).db, submission_id)
        if view is None:
            return page(request, "erreur.html", status=404, user=user, message="Aucun envoi de ce numéro.")
        return page(request, "dossier.html", user=user, view=view)

    @router.get("/envois/{submission_id}/pieces/{sha256}")
    async def attachment(request: Request, submission_id: int, sha256: str) -> Response:
        user = staff(request)
        svc = services_of(request)
        view = await run_in_threadpool(views.dossier, svc.db, submission_id)
        found = [
            a for action in (view.dossier["actions"] if view else []) for a in action["attachments"]
            if a["sha256"] == sha256
        ]  # fmt: skip
        if not found:
            return page(request, "erreur.html", status=404, user=user, message="Aucune pièce jointe de ce nom ici.")
        data = await run_in_threadpool(svc.blobs.get, sha256)
        name = found[0]["name"]
        return Response(data, media_type=found[0]["media_type"], headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}",
            "X-Content-Type-Options": "nosniff",
        })  # fmt: skip

    @router.get("/accuses", response_class=HTMLResponse)
    async def receipts(request: Request) -> HTMLResponse:
        user = staff(request)
        rows = await run_in_threadpool(views.receipts, services_of(request).db)
        return page(request, "accuses.html", user=user, rows=rows)

    @router.get("/editions/{edition}/derniers-envois.csv")
    async def latest_csv(request: Request, edition: str) -> Response:
        staff(request)
        data = await run_in_threadpool(views.latest_csv, services_of(request).db, edition)
        return Response(data, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="derniers-envois-{_quote(edition)}.csv"'
        })  # fmt: skip

    return router


class _ChangePassword(session.NotSignedIn):
    """A provisional password: the only page open is the one that changes it."""


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
