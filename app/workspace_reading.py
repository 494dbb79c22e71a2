"""The read side of a store file: the workspace's file lifecycle (open, close) and its queries.

Every query is one read transaction and returns plain data (``app.model``); nothing here writes, so the
window and the command line can ask as often as they like. ``app.workspace.Workspace`` builds on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.checks import Problem, blocking, check_dossier
from app.edition import Edition, EditionCatalog
from app.errors import ArobaseError
from app.model import DossierData, DossierSummary, Profile, SnapshotInfo
from app.mosaic import Coverage, coverage
from app.row_values import service_order
from app.rows import dossier_data, profile_from_row, snapshot_info
from app.workspace_types import Status
from localdb import models as m
from localdb.store import Store, utcnow

Clock = Callable[[], datetime]


class WorkspaceReader:
    """A store file, the editions it is read against, and the clock; passed in, never global."""

    def __init__(self, store: Store, catalog: EditionCatalog | None = None, clock: Clock = utcnow) -> None:
        self.store = store
        self.catalog = catalog or EditionCatalog()
        self.clock = clock

    @classmethod
    def open(cls, path: Path | str, catalog: EditionCatalog | None = None, clock: Clock = utcnow) -> Self:
        """Open the store (checked, migrated) and take the day's backup if none was taken today."""
        from app.backups import take_daily

        store = Store.open(path)
        take_daily(store, clock)
        return cls(store, catalog, clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The store file this workspace works on."""
        return self.store.path

    def has_file(self, sha256: str) -> bool:
        """Whether the bytes of an attachment are in this store's file folder."""
        return self.store.files.has(sha256)

    def attachment_path(self, sha256: str) -> Path:
        """Where an attachment's bytes are, to open it with the system's viewer."""
        return self.store.files.path_of(sha256)

    def today(self) -> date:
        return self.clock().date()

    # ------------------------------------------------------------------ reading

    def edition(self, edition_id: str) -> Edition:
        return self.catalog.get(edition_id)

    def profile(self) -> Profile:
        with self.store.read() as s:
            return profile_from_row(s.get(m.Collectivity, 1))

    def dossier_summaries(self) -> list[DossierSummary]:
        with self.store.read() as s:
            counts = dict(s.execute(select(m.Action.dossier_id, func.count()).group_by(m.Action.dossier_id)).all())
            out = []
            for d in s.scalars(select(m.Dossier).order_by(m.Dossier.edition)):
                snap = s.scalar(
                    select(m.Snapshot.sha256).where(m.Snapshot.dossier_id == d.id, m.Snapshot.revision == d.revision)
                )
                out.append(DossierSummary(d.edition, d.state, d.revision, counts.get(d.id, 0), snap))
            return out

    def default_edition(self) -> str:
        """The edition the user most likely means: the newest one with a dossier, else the newest known."""
        summaries = self.dossier_summaries()
        return summaries[-1].edition if summaries else self.catalog.latest_id()

    def has_dossier(self, edition_id: str) -> bool:
        with self.store.read() as s:
            return s.scalar(select(m.Dossier.id).where(m.Dossier.edition == edition_id)) is not None

    def load(self, edition_id: str) -> DossierData:
        """The dossier of an edition as plain data (an empty draft if it was never started)."""
        with self.store.read() as s:
            d = dossier_query(s, edition_id)
            profile = profile_from_row(s.get(m.Collectivity, 1))
            if d is None:
                return DossierData(edition=edition_id, profile=profile)
            return dossier_data(s, d, profile, self._service_order(edition_id))

    def check(self, edition_id: str) -> list[Problem]:
        return check_dossier(self.edition(edition_id), self.load(edition_id), self.today(), self.store.files.has)

    def coverage(self, edition_id: str) -> Coverage:
        return coverage(self.edition(edition_id), self.load(edition_id))

    def status(self, edition_id: str | None = None) -> Status:
        edition = self.edition(edition_id or self.default_edition())
        summary = next((d for d in self.dossier_summaries() if d.edition == edition.id), None)
        if summary is None:
            return Status(self.store.path, self.profile(), edition, None, None, 0, 0)
        data = self.load(edition.id)
        problems = check_dossier(edition, data, self.today(), self.store.files.has)
        n_block = len(blocking(problems))
        return Status(
            self.store.path, data.profile, edition, summary, coverage(edition, data), n_block, len(problems) - n_block
        )

    def snapshots(self, edition_id: str) -> list[SnapshotInfo]:
        with self.store.read() as s:
            d = s.scalar(select(m.Dossier).where(m.Dossier.edition == edition_id))
            return [snapshot_info(x) for x in d.snapshots] if d else []

    def snapshot_document(self, edition_id: str, revision: int) -> dict[str, Any]:
        import json

        with self.store.read() as s:
            snap = s.scalar(
                select(m.Snapshot)
                .join(m.Dossier)
                .where(m.Dossier.edition == edition_id, m.Snapshot.revision == revision)
            )
            if snap is None:
                raise ArobaseError(f"Aucune version validée n° {revision} pour l'édition {edition_id}.")
            return json.loads(snap.content)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ internals

    def _service_order(self, edition_id: str) -> dict[str, int]:
        try:
            return service_order(self.edition(edition_id))
        except ArobaseError:
            return {}


def dossier_query(s: Session, edition_id: str) -> m.Dossier | None:
    """The dossier row alone: its actions are read with Core queries by ``app.rows.dossier_data``."""
    return s.scalar(select(m.Dossier).where(m.Dossier.edition == edition_id))
