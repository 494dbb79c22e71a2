"""The yardstick of bench_server.py: FastAPI endpoints that only read and discard the same bytes."""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/api/v1/uploads")
async def create() -> Response:
    return Response(status_code=201, headers={"Location": f"/api/v1/uploads/{secrets.token_hex(16)}"})


@app.patch("/api/v1/uploads/{upload_id}")
async def append(upload_id: str, request: Request) -> Response:
    async for _ in request.stream():
        pass
    return Response(status_code=204)


@app.post("/api/v1/submissions")
async def submit(request: Request) -> Response:
    await request.body()
    return Response(b"{}", status_code=201, media_type="application/json")
