"""Our own resumable uploader for the server's tus 1.0 endpoints, on the client's session.

Why not tuspy: it calls requests without ``timeout=`` (a silent drop on a rural line hangs forever),
uses module-level calls instead of a ``Session`` (no proxy, no trust store, no bearer ``AuthBase``),
retries zero times by default with a fixed 30 s delay, checksums with SHA-1 only, keeps its URL store
in TinyDB and pulls aiohttp. The protocol core is small, so this module speaks it directly.

After a cut, ``upload`` asks the server (HEAD) how many bytes it holds and goes on from there: what
arrived is never sent again, so at most one chunk per cut travels twice. Each chunk carries
``Upload-Checksum: sha256 …``; the whole file's SHA-256 is declared at creation and checked by the
server at the last byte.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sync.client import Api
from sync.errors import Cancelled, NeedsAttention, Retryable, error_for
from sync.protocol import TUS_CHECKSUM_MISMATCH, TUS_CONTENT_TYPE, TUS_VERSION

CHUNK_BYTES = 256 * 1024


@dataclass
class Transfer:
    """One attachment to upload; ``url`` is where a previous attempt left it (kept by the caller)."""

    sha256: str
    size: int
    path: Path
    name: str = "piece-jointe"
    url: str | None = None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _offset(answer: object) -> int:
    raw = getattr(answer, "headers", {}).get("Upload-Offset", "")
    if not str(raw).isdigit():
        raise Retryable("Réponse incomplète du serveur pendant l'envoi d'une pièce jointe\u00a0: nouvel essai.")
    return int(raw)


def _create(api: Api, t: Transfer) -> tuple[str, int]:
    meta = f"sha256 {_b64(t.sha256)},filename {_b64(t.name)}"
    answer = api.raw("POST", "uploads", headers={
        "Tus-Resumable": TUS_VERSION, "Upload-Length": str(t.size), "Upload-Metadata": meta,
    })  # fmt: skip
    if answer.status_code != 201 or "Location" not in answer.headers:
        raise error_for(answer.status_code, answer.headers, answer.content)
    return api.url(answer.headers["Location"]), _offset(answer)


def _server_offset(api: Api, url: str) -> int | None:
    """Bytes the server holds, or None when the upload is gone (expired, discarded): start again."""
    answer = api.raw("HEAD", url, headers={"Tus-Resumable": TUS_VERSION})
    if answer.status_code in (404, 410):
        return None
    if answer.status_code != 200:
        raise error_for(answer.status_code, answer.headers, b"")
    return _offset(answer)


def upload(
    api: Api,
    t: Transfer,
    *,
    on_url: Callable[[str], None],
    on_progress: Callable[[int, int], None] = lambda offset, sent: None,
    on_wire: Callable[[int], None] = lambda n: None,
    cancelled: Callable[[], bool] = lambda: False,
    chunk_bytes: int = CHUNK_BYTES,
) -> int:
    """Upload ``t`` to the end, resuming at the server's offset; returns the body bytes sent by this call.

    ``on_url`` receives a new upload's address before its first byte (persist it: a restart resumes
    there); ``on_progress(offset, sent)`` after each chunk the server acknowledged; ``on_wire(n)`` before
    each chunk of ``n`` bytes leaves (counts what a cut makes travel twice).
    """
    sent = 0
    offset = _server_offset(api, t.url) if t.url else None
    if offset is None:
        t.url, offset = _create(api, t)
        on_url(t.url)
    on_progress(offset, sent)
    mismatches = 0
    with t.path.open("rb") as fh:
        while offset < t.size:
            if cancelled():
                raise Cancelled()
            fh.seek(offset)
            piece = fh.read(min(chunk_bytes, t.size - offset))
            if not piece:
                raise NeedsAttention(f"La pièce jointe « {t.name} » a changé ou disparu de cet ordinateur.")
            digest = base64.b64encode(hashlib.sha256(piece).digest()).decode("ascii")
            headers = {
                "Tus-Resumable": TUS_VERSION, "Upload-Offset": str(offset), "Content-Type": TUS_CONTENT_TYPE,
                "Upload-Checksum": f"sha256 {digest}",
            }  # fmt: skip
            sent += len(piece)  # counted before: a cut mid-body has still put these bytes on the wire
            on_wire(len(piece))
            answer = api.raw("PATCH", t.url, data=piece, headers=headers)
            status = answer.status_code
            if status == 204:
                offset = _offset(answer)
            elif status == 409:  # our offset is stale: ask the server where it is
                held = _server_offset(api, t.url)
                if held is None:
                    t.url, offset = _create(api, t)
                    on_url(t.url)
                else:
                    offset = held
            elif status in (404, 410):  # expired or discarded: start this file again
                t.url, offset = _create(api, t)
                on_url(t.url)
            elif status == TUS_CHECKSUM_MISMATCH and mismatches < 3:
                mismatches += 1
                held = _server_offset(api, t.url)
                if held is None:
                    t.url, offset = _create(api, t)
                    on_url(t.url)
                else:
                    offset = held
            else:
                raise error_for(status, answer.headers, answer.content)
            on_progress(offset, sent)
    return sent
