"""Enrolment of a device, token rotation, sign-out, and the account it acts for."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from server import auth
from server.api.editions import summary
from server.api.models import (
    AccountOut,
    CollectivityOut,
    DeviceCreate,
    DeviceTokens,
    MembershipOut,
    TokenPair,
    TokenRequest,
)
from server.auth import Account, current_account
from server.editions import is_open
from server.models import Device, Edition, Membership
from server.problems import responses
from server.services import services_of

router = APIRouter(tags=["appareils"])
NO_STORE = {"Cache-Control": "no-store"}


@router.post("/devices", status_code=201, response_model=DeviceTokens, responses=responses(401, 422, 429))
async def enrol_device(body: DeviceCreate, request: Request, response: Response) -> DeviceTokens:
    """Enrol this copy of Arobase with the single-use activation code the association sent."""
    tokens = await run_in_threadpool(auth.enrol, services_of(request), request, body.activation_code, body.device_name)
    response.headers.update(NO_STORE)
    c = tokens.collectivity
    return DeviceTokens(
        device_id=tokens.device_id, refresh_token=tokens.refresh_token, access_token=tokens.access_token,
        expires_in=tokens.expires_in, collectivity=CollectivityOut(code=c.code, name=c.name, kind=c.kind),
    )  # fmt: skip


@router.post("/token", response_model=TokenPair, responses=responses(401, 422, 429))
async def rotate_token(body: TokenRequest, request: Request, response: Response) -> TokenPair:
    """A new access token and a rotated refresh token (the previous one works once more until the new one is used)."""
    tokens = await run_in_threadpool(auth.refresh, services_of(request), request, body.refresh_token)
    response.headers.update(NO_STORE)
    return TokenPair(refresh_token=tokens.refresh_token, access_token=tokens.access_token, expires_in=tokens.expires_in)


def _sign_out(request: Request, account: Account) -> None:
    svc = services_of(request)
    with svc.db.write() as s:
        device = s.get(Device, account.device_id)
        assert device is not None
        auth.revoke(s, device, svc.now(), "déconnecté par l'appareil")


@router.delete("/devices/current", status_code=204, responses=responses(401))
async def sign_out(request: Request, account: Account = Depends(current_account)) -> Response:  # noqa: B008
    """Forget this device: its tokens stop working at once."""
    await run_in_threadpool(_sign_out, request, account)
    return Response(status_code=204)


def _account(request: Request, account: Account) -> AccountOut:
    svc = services_of(request)
    now = svc.now()
    with svc.db.read() as s:
        member = s.get(Membership, (account.collectivity_id, now.year)) is not None
        editions = s.execute(select(Edition).order_by(Edition.id)).scalars().all()
        open_editions = [summary(e) for e in editions if is_open(e, now.date())]
    return AccountOut(
        collectivity=CollectivityOut(code=account.code, name=account.name, kind=account.kind),
        membership=MembershipOut(year=now.year, member=member),
        open_editions=open_editions,
    )


@router.get("/account", response_model=AccountOut, responses=responses(401))
async def get_account(request: Request, account: Account = Depends(current_account)) -> AccountOut:  # noqa: B008
    """The collectivity, its membership of the association this year, and the editions open for submission."""
    return await run_in_threadpool(_account, request, account)
