"""The outbox: one frozen entry per validated revision, and the single transaction that records a receipt.

``add_entry`` runs inside the validation's transaction (a validated revision always has its entry);
``record_receipt`` stores the verified receipt and moves the dossier to « reçu » together, so a crash
leaves either both or neither. The sending use case (``app.sending``) is the only caller of the rest.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from localdb import models as m

if TYPE_CHECKING:
    from app.workspace import Workspace

STATE_LABELS = {
    "en_attente": "en attente",
    "en_cours": "en cours d'envoi",
    "envoye": "reçu par l'association",
    "a_verifier": "à vérifier",
}
PENDING = ("en_attente", "en_cours")


@dataclass(frozen=True, slots=True)
class Entry:
    """What the Envoi page and ``arobase outbox`` show of one entry."""

    id: int
    submission_uuid: str
    edition: str
    revision: int
    payload_sha256: str
    replaces: str | None
    state: str
    attempts: int
    last_error: str
    bytes_total: int
    attachments: tuple[dict[str, Any], ...]
    receipt: dict[str, Any] | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def receipt_number(self) -> str | None:
        return None if self.receipt is None else str(self.receipt.get("receipt_number"))

    def as_json(self) -> dict[str, Any]:
        return {
            "submission_uuid": self.submission_uuid, "edition": self.edition, "revision": self.revision,
            "payload_sha256": self.payload_sha256, "replaces": self.replaces, "state": self.state,
            "state_label": self.state_label, "attempts": self.attempts, "last_error": self.last_error,
            "bytes_total": self.bytes_total, "attachments": list(self.attachments),
            "receipt_number": self.receipt_number,
        }  # fmt: skip


def attachment_list(content: str) -> list[dict[str, Any]]:
    """Every distinct attachment of a frozen snapshot, in order: sha256, size, name."""
    seen: dict[str, dict[str, Any]] = {}
    for action in json.loads(content).get("actions", []):
        for a in action.get("attachments", []):
            seen.setdefault(a["sha256"], {"sha256": a["sha256"], "size": a["size"], "name": a["name"]})
    return list(seen.values())


def add_entry(s: Session, dossier: m.Dossier, snap: m.Snapshot, now: datetime) -> m.OutboxItem:
    """The outbox entry of a revision just validated (same transaction); it names the one it replaces."""
    previous = s.scalar(
        select(m.OutboxItem.submission_uuid)
        .where(m.OutboxItem.dossier_id == dossier.id, m.OutboxItem.revision < snap.revision)
        .order_by(m.OutboxItem.revision.desc(), m.OutboxItem.id.desc())
        .limit(1)
    )
    files = attachment_list(snap.content)
    item = m.OutboxItem(
        submission_uuid=str(uuidlib.uuid4()), dossier_id=dossier.id, revision=snap.revision,
        payload_sha256=snap.sha256, state="en_attente", attempts=0, last_error="", created_at=now, updated_at=now,
        snapshot_id=snap.id, replaces=previous, attachments=json.dumps(files, ensure_ascii=False),
        uploads="{}", bytes_total=sum(int(f["size"]) for f in files), posted=False, receipt=None,
    )  # fmt: skip
    s.add(item)
    return item


def _entry(row: m.OutboxItem, edition: str) -> Entry:
    return Entry(
        row.id, row.submission_uuid, edition, row.revision, row.payload_sha256, row.replaces, row.state,
        row.attempts, row.last_error, row.bytes_total, tuple(json.loads(row.attachments)),
        json.loads(row.receipt) if row.receipt else None,
    )  # fmt: skip


def entries(ws: Workspace, states: tuple[str, ...] | None = None) -> list[Entry]:
    """Entries oldest first (optionally only in ``states``)."""
    with ws.store.read() as s:
        query = select(m.OutboxItem, m.Dossier.edition).join(m.Dossier, m.Dossier.id == m.OutboxItem.dossier_id)
        if states:
            query = query.where(m.OutboxItem.state.in_(states))
        return [_entry(row, edition) for row, edition in s.execute(query.order_by(m.OutboxItem.id)).all()]


def snapshot_document(ws: Workspace, entry_id: int) -> dict[str, Any]:
    with ws.store.read() as s:
        row = s.get(m.OutboxItem, entry_id)
        assert row is not None and row.snapshot_id is not None
        snap = s.get(m.Snapshot, row.snapshot_id)
        assert snap is not None
        return dict(json.loads(snap.content))


def uploads_of(ws: Workspace, entry_id: int) -> dict[str, str]:
    with ws.store.read() as s:
        row = s.get(m.OutboxItem, entry_id)
        return dict(json.loads(row.uploads)) if row is not None else {}


def update(ws: Workspace, entry_id: int, **values: Any) -> None:
    """Sending progress only (state, attempts, last_error, posted); never the frozen content."""
    allowed = {"state", "attempts", "last_error", "posted"}
    assert set(values) <= allowed, set(values) - allowed
    with ws.store.write() as s:
        row = s.get(m.OutboxItem, entry_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = ws.clock()


def started(ws: Workspace, entry_id: int) -> int:
    """en_cours, one more attempt; returns the attempts before this one."""
    with ws.store.write() as s:
        row = s.get(m.OutboxItem, entry_id)
        assert row is not None
        before = row.attempts
        row.state, row.attempts, row.updated_at = "en_cours", row.attempts + 1, ws.clock()
        return before


def remember_upload(ws: Workspace, entry_id: int, sha256: str, url: str) -> None:
    with ws.store.write() as s:
        row = s.get(m.OutboxItem, entry_id)
        assert row is not None
        row.uploads = json.dumps({**json.loads(row.uploads), sha256: url})


def record_receipt(ws: Workspace, entry_id: int, receipt: dict[str, Any], received_at: datetime) -> None:
    """The verified receipt, the snapshot's receipt number and the dossier's move to « reçu »: one transaction."""
    with ws.store.write() as s:
        row = s.get(m.OutboxItem, entry_id)
        assert row is not None
        row.receipt = json.dumps(receipt, ensure_ascii=False, sort_keys=True)
        row.state, row.last_error, row.updated_at = "envoye", "", ws.clock()
        snap = s.get(m.Snapshot, row.snapshot_id)
        if snap is not None:
            snap.sent_at = snap.sent_at or ws.clock()
            snap.receipt_id, snap.received_at = str(receipt["receipt_number"]), received_at
        d = s.get(m.Dossier, row.dossier_id)
        if d is not None and d.revision == row.revision and d.state in ("valide", "envoye"):
            if d.state == "valide":
                ws._transition(s, d, "envoye")
            ws._transition(s, d, "recu", f"accusé {receipt['receipt_number']}")


def retry(ws: Workspace, submission_uuid: str) -> None:
    """« Réessayer » an entry « à vérifier » once the person has acted (signed in to the right account…)."""
    with ws.store.write() as s:
        row = s.scalar(select(m.OutboxItem).where(m.OutboxItem.submission_uuid == submission_uuid))
        if row is None or row.state != "a_verifier":
            from app.errors import ArobaseError

            raise ArobaseError("Cet envoi n'est pas «\u00a0à vérifier\u00a0»\u00a0: il n'y a rien à réessayer.")
        row.state, row.updated_at = "en_attente", ws.clock()
