"""What the staff pages show, read from the store (no HTML here)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from server.db import Database
from server.export import latest_submissions, write_csv
from server.models import Collectivity, Edition, Membership, Submission


@dataclass(frozen=True)
class CollectivityRow:
    collectivity: Collectivity
    member: bool
    latest: dict[str, Submission]  # edition id → latest submission


def collectivities(db: Database, year: int) -> tuple[list[CollectivityRow], list[str]]:
    with db.read() as s:
        colls = s.execute(select(Collectivity).order_by(Collectivity.name)).scalars().all()
        members = set(s.execute(select(Membership.collectivity_id).where(Membership.year == year)).scalars())
        last_ids = select(func.max(Submission.id)).group_by(Submission.collectivity_id, Submission.edition_id)
        latest = s.execute(select(Submission).where(Submission.id.in_(last_ids))).scalars().all()
        editions = list(s.execute(select(Edition.id).order_by(Edition.id)).scalars())
    by_coll: dict[int, dict[str, Submission]] = {}
    for sub in latest:
        by_coll.setdefault(sub.collectivity_id, {})[sub.edition_id] = sub
    return [CollectivityRow(c, c.id in members, by_coll.get(c.id, {})) for c in colls], editions


@dataclass(frozen=True)
class ThemeCoverage:
    title: str
    covered: int
    total: int


@dataclass(frozen=True)
class DossierView:
    submission: Submission
    collectivity: Collectivity
    dossier: dict[str, Any]
    receipt: dict[str, Any]
    coverage: list[ThemeCoverage]
    services: dict[str, str]  # id → label
    levels: dict[str, str]
    latest: bool


def dossier(db: Database, submission_id: int) -> DossierView | None:
    with db.read() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            return None
        coll = s.get(Collectivity, sub.collectivity_id)
        edition = s.get(Edition, sub.edition_id)
        newest = s.execute(
            select(func.max(Submission.id)).where(
                Submission.collectivity_id == sub.collectivity_id, Submission.edition_id == sub.edition_id
            )
        ).scalar_one()
    assert coll is not None and edition is not None
    content = json.loads(edition.content)
    doc = json.loads(sub.dossier)
    used = {sid for action in doc["actions"] for sid in action["services"]}
    coverage, labels = [], {}
    for theme in content["themes"]:
        ids = [svc["id"] for st in theme["subthemes"] for svc in st["services"]]
        labels.update({svc["id"]: svc["label"] for st in theme["subthemes"] for svc in st["services"]})
        coverage.append(ThemeCoverage(theme["title"], len(used.intersection(ids)), len(ids)))
    levels = {level["id"]: level["label"] for level in content["levels"]}
    return DossierView(sub, coll, doc, json.loads(sub.receipt), coverage, labels, levels, newest == sub.id)


def receipts(db: Database) -> list[tuple[Collectivity, Submission]]:
    with db.read() as s:
        rows = s.execute(
            select(Collectivity, Submission)
            .join(Submission, Submission.collectivity_id == Collectivity.id)
            .order_by(Submission.edition_id, Submission.receipt_number.desc())
        ).all()
    return [(c, sub) for c, sub in rows]


def latest_csv(db: Database, edition: str) -> bytes:
    buffer = io.StringIO()
    write_csv(latest_submissions(db, edition), buffer)
    return buffer.getvalue().encode("utf-8-sig")
