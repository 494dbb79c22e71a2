"""tus 1.0 uploads of attachments, state in the database: any worker takes the next PATCH.

Received bytes are ``upload_chunks`` rows written in the same transaction as the new offset, so the
offset a HEAD reports is exactly the bytes kept. At the last byte the whole file's SHA-256 is compared
with the declared one, then the file goes to the blob store, content-addressed, and into the account's
files. A file the account already holds completes at creation; whether another account holds it is
never told (its upload runs the same way).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, bindparam, delete, select, text
from sqlalchemy.orm import Session

from server import ratelimit
from server.auth import Account
from server.models import Upload, UploadChunk, UTCDateTime
from server.problems import Problem
from server.services import Services
from sync.protocol import MAX_ATTACHMENT_BYTES, TUS_CHECKSUM_MISMATCH

SHA_HEX = re.compile(r"^[0-9a-f]{64}$")
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def parse_metadata(header: str) -> dict[str, str]:
    """``key base64value, key2 base64value2`` → dict (values decoded as UTF-8)."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            found[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8") if value.strip() else ""
        except (binascii.Error, UnicodeDecodeError):
            raise Problem(400, f"Upload-Metadata : la valeur de « {key[:40]} » n'est pas du base64 valide.") from None
    return found


def parse_length(raw: str | None, name: str) -> int:
    if raw is None or not raw.strip().isdigit():
        raise Problem(400, f"En-tête {name} absent ou invalide (un nombre d'octets est attendu).")
    return int(raw)


def create(svc: Services, account: Account, length: int, metadata: dict[str, str]) -> Upload:
    sha = metadata.get("sha256", "").strip().lower()
    if not SHA_HEX.match(sha):
        raise Problem(400, "Upload-Metadata doit donner « sha256 » : l'empreinte SHA-256 du fichier, en hexadécimal.")
    limit = min(svc.settings.max_upload_bytes, MAX_ATTACHMENT_BYTES)
    if length > limit:
        raise Problem(413, f"Fichier trop volumineux : {length} octets, {limit} au plus.")
    now = svc.now()
    upload = Upload(
        id=secrets.token_hex(16),
        collectivity_id=account.collectivity_id,
        length=length,
        offset=0,
        sha256=sha,
        metadata_json=json.dumps(metadata, ensure_ascii=False),
        created_at=now,
        expires_at=now + timedelta(seconds=svc.settings.upload_ttl),
        completed_at=None,
    )  # fmt: skip  (never added to the session: written by the statements below)
    with svc.db.write() as s:
        ratelimit.count_account_request(s, account.collectivity_id, svc.settings.requests_per_account, now)
        s.execute(SQL.delete_expired, {"collectivity_id": account.collectivity_id, "now": now})
        held = s.execute(SQL.held_size, {"collectivity_id": account.collectivity_id, "sha256": sha}).scalar()
        if held == length:
            upload.offset, upload.completed_at = length, now  # nothing to send again
        s.execute(SQL.insert, _columns(upload))
        if length == 0 and upload.completed_at is None and _complete(s, svc, upload, now, earlier=False):
            s.execute(SQL.progress, _columns(upload))
        return upload


def find(s: Session, account: Account, upload_id: str, now: datetime, *, lock: bool = False) -> Upload:
    """The account's upload (``lock``: its row locked until the transaction ends, on PostgreSQL; SQLite's
    write transaction already excludes every other writer); 404, or 410 once expired."""
    query = SQL.find_locked if lock and s.get_bind().dialect.name == "postgresql" else SQL.find
    row = s.execute(query, {"id": upload_id, "collectivity_id": account.collectivity_id}).first()
    if row is None:
        raise Problem(404, "Aucun envoi de fichier à cette adresse pour votre collectivité.")
    upload = Upload(**row._mapping)  # a plain value: never added to the session
    if upload.completed_at is None and upload.expires_at <= now:
        raise Problem(410, "Cet envoi de fichier a expiré : recommencez-le depuis le début.")
    return upload


def status(svc: Services, account: Account, upload_id: str) -> Upload:
    with svc.db.read() as s:
        return find(s, account, upload_id, svc.now())


def check_chunk(header: str | None, data: bytes) -> None:
    """Upload-Checksum: ``sha256 <base64 digest>`` of this chunk; 460 when it does not match."""
    if header is None:
        return
    algorithm, _, value = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise Problem(400, "Upload-Checksum : seul l'algorithme sha256 est pris en charge.")
    try:
        expected = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise Problem(400, "Upload-Checksum : l'empreinte n'est pas du base64 valide.") from None
    if hashlib.sha256(data).digest() != expected:
        raise Problem(TUS_CHECKSUM_MISMATCH, "Le morceau reçu ne correspond pas à son empreinte : renvoyez-le.")


def append(svc: Services, account: Account, upload_id: str, offset: int, data: bytes) -> Upload:
    now = svc.now()
    stored = _store_ahead(svc, account, upload_id, offset, data, now)
    with svc.db.write() as s:
        upload = find(s, account, upload_id, now, lock=True)
        if offset != upload.offset:
            raise Problem(
                409, f"Décalage {offset} incorrect : le serveur a reçu {upload.offset} octets.",
                headers={"Upload-Offset": str(upload.offset)},
            )  # fmt: skip
        if upload.offset + len(data) > upload.length:
            raise Problem(413, f"Le fichier dépasse la taille annoncée ({upload.length} octets).")
        last = upload.offset + len(data) == upload.length and upload.completed_at is None
        earlier = upload.offset > 0  # chunk rows exist only below the offset already received
        if data and not last:  # the last piece goes straight to the blob store, never into a chunk row
            s.execute(SQL.insert_chunk, {"upload_id": upload.id, "offset": upload.offset, "data": data})
        upload.offset += len(data)
        if not last or _complete(s, svc, upload, now, tail=data, earlier=earlier, stored=stored):
            s.execute(SQL.progress, _columns(upload))  # the new offset (and completion) in one UPDATE
            return upload
    raise Problem(
        TUS_CHECKSUM_MISMATCH,
        "Le fichier reçu ne correspond pas à l'empreinte SHA-256 annoncée : il a été écarté, renvoyez-le.",
    )


def _store_ahead(svc: Services, account: Account, upload_id: str, offset: int, data: bytes, now: datetime) -> bool:
    """When ``data`` completes the file: check the whole file's SHA-256 and write it to the blob store (fsynced)
    before the write transaction, so the database's write lock is not held through the hashing and the disk
    syncs. True when stored. The write transaction then finds the upload still at ``offset`` (else 409, and a
    stored blob is only a content-addressed file no row names yet): the bytes below an offset never change,
    so the file it would assemble is the one stored here."""
    row = svc.db.first(SQL.find, {"id": upload_id, "collectivity_id": account.collectivity_id})
    if row is None:
        return False  # the write transaction answers 404
    seen = Upload(**row._mapping)
    if seen.completed_at is not None or seen.expires_at <= now or offset != seen.offset:
        return False  # done already, a 410 or a 409 to come
    if offset + len(data) != seen.length:
        return False  # not the last piece, or a 413 to come
    whole = data
    if offset > 0:
        with svc.db.read() as s:
            whole = b"".join([*s.execute(SQL.chunks, {"upload_id": upload_id}).scalars(), data])
    if hashlib.sha256(whole).hexdigest() != seen.sha256:
        return False  # the write transaction checks again and discards the upload
    svc.blobs.put(seen.sha256, whole)
    return True


def _complete(
    s: Session, svc: Services, upload: Upload, now: datetime, tail: bytes = b"", earlier: bool = True,
    stored: bool = False,
) -> bool:  # fmt: skip
    """Assemble the chunks (``earlier``: there may be some) and ``tail``, check the declared SHA-256, store and
    set ``completed_at`` (the caller writes it); False (upload deleted) on a mismatch. ``stored``: all that was
    done by ``_store_ahead`` on the same bytes; only the rows are left."""
    if stored:
        _hold_rows(s, upload.collectivity_id, upload.sha256, upload.length, now)
        if earlier:
            s.execute(SQL.delete_chunks, {"upload_id": upload.id})
        upload.completed_at = now
        return True
    chunks = list(s.execute(SQL.chunks, {"upload_id": upload.id}).scalars()) if earlier else []
    data = b"".join([*chunks, tail]) if chunks else tail
    if hashlib.sha256(data).hexdigest() != upload.sha256 or len(data) != upload.length:
        s.execute(SQL.delete, {"id": upload.id})  # its chunks go with it (ON DELETE CASCADE)
        return False
    hold_file(s, svc, upload.collectivity_id, upload.sha256, data, now)
    if chunks:
        s.execute(SQL.delete_chunks, {"upload_id": upload.id})
    upload.completed_at = now
    return True


def hold_file(s: Session, svc: Services, collectivity_id: int, sha256: str, data: bytes, now: datetime) -> None:
    """A checked file into the blob store and the account's files (a whole tus upload, a /depot bundle's piece)."""
    svc.blobs.put(sha256, data)  # idempotent: content-addressed
    _hold_rows(s, collectivity_id, sha256, len(data), now)


def _hold_rows(s: Session, collectivity_id: int, sha256: str, size: int, now: datetime) -> None:
    values = {"collectivity_id": collectivity_id, "sha256": sha256, "size": size, "now": now}
    s.execute(SQL.insert_blob, values)
    s.execute(SQL.insert_account_file, values)


def _columns(upload: Upload) -> dict[str, Any]:
    return {c: getattr(upload, c) for c in UPLOAD_COLUMNS}


UPLOAD_COLUMNS = ("id", "collectivity_id", "length", "offset", "sha256", "metadata_json", "created_at", "expires_at",
                  "completed_at")  # fmt: skip
_STAMPS = ("now", "created_at", "expires_at", "completed_at")


def _sql(statement: str) -> TextClause:
    """A statement of the hot path, with its timestamps typed; the result columns typed as the table's."""
    clause = text(statement)
    return clause.bindparams(*(bindparam(n, type_=UTCDateTime) for n in _STAMPS if f":{n}" in statement))


class SQL:
    """Every statement of a tus request, as plain SQL valid on SQLite and PostgreSQL. Ten of them run per
    uploaded file; built as expressions they cost SQLAlchemy more than the database takes to run them."""

    _select = "SELECT " + ", ".join(f'"{c}"' for c in UPLOAD_COLUMNS) + " FROM uploads"
    find = _sql(_select + " WHERE id = :id AND collectivity_id = :collectivity_id").columns(*Upload.__table__.c)
    find_locked = _sql(_select + " WHERE id = :id AND collectivity_id = :collectivity_id FOR UPDATE").columns(
        *Upload.__table__.c
    )
    insert = _sql(
        "INSERT INTO uploads (" + ", ".join(f'"{c}"' for c in UPLOAD_COLUMNS) + ") VALUES ("
        + ", ".join(f":{c}" for c in UPLOAD_COLUMNS) + ")"
    )  # fmt: skip
    progress = _sql('UPDATE uploads SET "offset" = :offset, completed_at = :completed_at WHERE id = :id')
    delete = _sql("DELETE FROM uploads WHERE id = :id")
    delete_expired = _sql("DELETE FROM uploads WHERE collectivity_id = :collectivity_id AND expires_at <= :now")
    held_size = _sql("SELECT size FROM account_files WHERE collectivity_id = :collectivity_id AND sha256 = :sha256")
    insert_chunk = _sql('INSERT INTO upload_chunks (upload_id, "offset", data) VALUES (:upload_id, :offset, :data)')
    chunks = _sql('SELECT data FROM upload_chunks WHERE upload_id = :upload_id ORDER BY "offset"').columns(
        UploadChunk.__table__.c.data
    )
    delete_chunks = _sql("DELETE FROM upload_chunks WHERE upload_id = :upload_id")
    insert_blob = _sql(
        "INSERT INTO blobs (sha256, size, stored_at) VALUES (:sha256, :size, :now) ON CONFLICT DO NOTHING"
    )
    insert_account_file = _sql(
        "INSERT INTO account_files (collectivity_id, sha256, size, created_at)"
        " VALUES (:collectivity_id, :sha256, :size, :now) ON CONFLICT DO NOTHING"
    )


def terminate(svc: Services, account: Account, upload_id: str) -> None:
    with svc.db.write() as s:
        upload = s.execute(
            select(Upload).where(Upload.id == upload_id, Upload.collectivity_id == account.collectivity_id)
        ).scalar_one_or_none()
        if upload is None:
            raise Problem(404, "Aucun envoi de fichier à cette adresse pour votre collectivité.")
        s.execute(delete(UploadChunk).where(UploadChunk.upload_id == upload.id))
        s.delete(upload)
