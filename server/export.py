"""Export for the jury: per collectivity its latest dossier of an edition, its attachments, and a summary CSV."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select

from server.blobs import BlobStore
from server.db import Database
from server.models import Collectivity, Edition, Submission

CSV_COLUMNS = ("code", "collectivité", "type", "révision", "accusé de réception", "reçu le (UTC)",
               "empreinte SHA-256", "actions", "pièces jointes", "octets")  # fmt: skip


class ExportError(ValueError):
    """The export cannot be written; the message is French."""


@dataclass(frozen=True)
class Latest:
    collectivity: Collectivity
    submission: Submission

    @property
    def dossier(self) -> dict[str, Any]:
        return json.loads(self.submission.dossier)  # type: ignore[no-any-return]

    def csv_row(self) -> list[str]:
        receipt = json.loads(self.submission.receipt)
        return [
            self.collectivity.code, self.collectivity.name, self.collectivity.kind, str(self.submission.revision),
            receipt["receipt_number"], receipt["received_at"], self.submission.payload_sha256,
            str(len(self.dossier["actions"])), str(self.submission.attachment_count),
            str(self.submission.attachment_bytes),
        ]  # fmt: skip


def latest_submissions(db: Database, edition: str) -> list[Latest]:
    """The latest submission of each collectivity for the edition (the staff pages list the same)."""
    with db.read() as s:
        last = (
            select(func.max(Submission.id)).where(Submission.edition_id == edition).group_by(Submission.collectivity_id)
        )
        rows = s.execute(
            select(Collectivity, Submission)
            .join(Submission, Submission.collectivity_id == Collectivity.id)
            .where(Submission.id.in_(last))
            .order_by(Collectivity.code)
        ).all()
    return [Latest(c, sub) for c, sub in rows]


def write_csv(rows: list[Latest], out: TextIO) -> None:
    """Semicolons, for a French spreadsheet; the caller writes a BOM so the accents read right."""
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(r.csv_row() for r in rows)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("._")[:80] or "fichier"


def export_edition(db: Database, blobs: BlobStore, edition: str, out: Path) -> int:
    with db.read() as s:
        if s.get(Edition, edition) is None:
            raise ExportError(f"aucune édition « {edition} » sur ce serveur")
    rows = latest_submissions(db, edition)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for row in rows:
            folder = out / _safe(f"{row.collectivity.code}-{row.collectivity.name}")
            (folder / "pieces-jointes").mkdir(parents=True, exist_ok=True)
            dossier = row.dossier
            (folder / "dossier.json").write_text(json.dumps(dossier, ensure_ascii=False, indent=2), encoding="utf-8")
            (folder / "accuse-de-reception.json").write_text(row.submission.receipt, encoding="utf-8")
            for action in dossier["actions"]:
                for a in action["attachments"]:
                    target = folder / "pieces-jointes" / f"{a['sha256'][:12]}-{_safe(a['name'])}"
                    if not target.exists():
                        target.write_bytes(blobs.get(a["sha256"]))
        with (out / f"synthese-{edition}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            write_csv(rows, f)
    except OSError as exc:
        raise ExportError(f"impossible d'écrire dans {out} ({exc.strerror or exc})") from None
    return len(rows)
