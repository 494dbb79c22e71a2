"""The public keys that sign receipts, so a town hall can check one later, offline."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from server.api.models import KeysOut, PublicKey
from server.models import SigningKey
from server.services import services_of

router = APIRouter(tags=["accusés de réception"])


def _keys(request: Request) -> KeysOut:
    with services_of(request).db.read() as s:
        rows = s.execute(select(SigningKey).order_by(SigningKey.created_at)).scalars().all()
    return KeysOut(keys=[
        PublicKey(key_id=k.key_id, algorithm="Ed25519", public_key=base64.b64encode(k.public_key).decode())
        for k in rows
    ])  # fmt: skip


@router.get("/keys", response_model=KeysOut)
async def get_keys(request: Request) -> KeysOut:
    """Every Ed25519 public key (raw 32 bytes, base64) by key id; receipts name theirs in ``key_id``."""
    return await run_in_threadpool(_keys, request)
