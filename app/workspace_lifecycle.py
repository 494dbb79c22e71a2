"""The dossier's lifecycle on a store file: brouillon → validé → envoyé → reçu, and back to a new revision.

Validation freezes the canonical JSON of a revision; every other use case asks ``_editable`` first, so a
frozen dossier refuses an edit unless the caller asked for a new revision. ``app.workspace.Workspace``
builds its editing use cases on these steps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checks import Problem, blocking, check_dossier
from app.errors import ArobaseError
from app.formats import plural
from app.interchange import to_document
from app.model import PROFILE_FIELDS, STATE_LABELS, DossierData, Profile, SnapshotInfo
from app.rows import dossier_data, profile_from_row, snapshot_info
from app.text import check_text
from app.workspace_reading import WorkspaceReader, dossier_query
from localdb import models as m
from sync import dossier_format


class TransitionError(ArobaseError):
    """A lifecycle step that the dossier's current state does not allow."""


class DossierFrozen(TransitionError):
    """An edit of a validated, sent or received dossier that did not ask for a new revision."""


class ValidationBlocked(ArobaseError):
    """Validation refused: blocking problems remain."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(f"  – {p.message}" for p in problems)
        super().__init__(f"Le dossier ne peut pas être validé, {plural(len(problems), 'problème')} à régler :\n{lines}")
        self.problems = problems


class WorkspaceLifecycle(WorkspaceReader):
    """The state steps of a dossier and the rows every use case starts from (collectivity, dossier)."""

    def validate(self, edition_id: str) -> SnapshotInfo:
        """brouillon → validé: freeze the canonical JSON of this revision and its SHA-256."""
        edition = self.edition(edition_id)
        import json

        with self.store.write() as s:
            d = dossier_query(s, edition_id)
            if d is None:
                raise TransitionError(f"Il n'y a pas encore de dossier pour l'édition {edition_id}.")
            if d.state != "brouillon":
                raise TransitionError(
                    f"Le dossier {edition_id} est déjà {STATE_LABELS[d.state]} (révision {d.revision}) : "
                    "choisissez « Modifier (nouvelle révision) » pour le changer avant de le valider de nouveau."
                )
            data = dossier_data(s, d, profile_from_row(s.get(m.Collectivity, 1)), self._service_order(edition_id))
            problems = blocking(check_dossier(edition, data, self.today(), self.store.files.has))
            if problems:
                raise ValidationBlocked(problems)
            from app.backups import take_backup

            # The file as it was before this validation (read through its own connection: the last commit).
            take_backup(self.store, "avant-validation", self.clock)
            body = dossier_format.snapshot_body(to_document(data))
            content = dossier_format.canonical_json(body)
            now = self.clock()
            snap = m.Snapshot(
                dossier_id=d.id,
                revision=d.revision,
                sha256=dossier_format.sha256_hex(content),
                content=content.decode("utf-8"),
                validated_at=now,
            )
            s.add(snap)
            self._transition(s, d, "valide")
            s.flush()
            json.loads(snap.content)  # the frozen text must read back
            from app.outbox import add_entry

            add_entry(s, d, snap, now)  # the revision to send, frozen with it
            return snapshot_info(snap)

    def reopen(self, edition_id: str) -> DossierData:
        """validé / envoyé / reçu → brouillon of the next revision ("Modifier (nouvelle révision)")."""
        with self.store.write() as s:
            d = dossier_query(s, edition_id)
            if d is None or d.state == "brouillon":
                raise TransitionError(f"Le dossier {edition_id} est déjà un brouillon modifiable.")
            self._reopen(s, d, "modification demandée")
        return self.load(edition_id)

    def mark_sent(self, edition_id: str) -> SnapshotInfo:
        """validé → envoyé: the frozen revision has left for the association's server."""
        with self.store.write() as s:
            d = self._require(s, edition_id, "valide", "marqué comme envoyé")
            snap = self._current_snapshot(s, d)
            snap.sent_at = self.clock()
            self._transition(s, d, "envoye")
            return snapshot_info(snap)

    def record_receipt(
        self, edition_id: str, receipt_id: str, payload_sha256: str, received_at: datetime
    ) -> SnapshotInfo:
        """envoyé → reçu: the server acknowledged exactly the frozen revision."""
        check_text(receipt_id, "Numéro d'accusé de réception", multiline=False)
        with self.store.write() as s:
            d = self._require(s, edition_id, "envoye", "marqué comme reçu")
            snap = self._current_snapshot(s, d)
            if payload_sha256 != snap.sha256:
                raise TransitionError(
                    "L'accusé de réception ne correspond pas au dossier envoyé (empreintes différentes) : "
                    "renvoyez le dossier."
                )
            snap.receipt_id, snap.received_at = receipt_id, received_at
            self._transition(s, d, "recu", f"accusé {receipt_id}")
            return snapshot_info(snap)

    # ------------------------------------------------------------------ internals

    def _collectivity(self, s: Session) -> m.Collectivity:
        row = s.get(m.Collectivity, 1)
        if row is None:
            row = m.Collectivity(id=1, updated_at=self.clock(), **{k: getattr(Profile(), k) for k in PROFILE_FIELDS})
            s.add(row)
            s.flush()
        return row

    def _dossier(self, s: Session, edition_id: str) -> m.Dossier:
        d = dossier_query(s, edition_id)
        if d is None:
            self._collectivity(s)
            now = self.clock()
            d = m.Dossier(edition=edition_id, state="brouillon", revision=1, created_at=now, updated_at=now)
            s.add(d)
            s.flush()
            s.add(
                m.DossierEvent(
                    dossier_id=d.id, at=now, from_state=None, to_state="brouillon", revision=1, detail="dossier créé"
                )
            )
        return d

    def _editable(self, s: Session, edition_id: str, new_revision: bool = False) -> m.Dossier:
        """The dossier, if it may change: a frozen one only when the caller asked for a new revision."""
        d = self._dossier(s, edition_id)
        if d.state != "brouillon":
            if not new_revision:
                raise DossierFrozen(frozen_message(d))
            self._reopen(s, d, "modification")
        d.updated_at = self.clock()
        return d

    def _reopen(self, s: Session, d: m.Dossier, why: str) -> None:
        d.revision += 1
        self._transition(s, d, "brouillon", why)

    def _transition(self, s: Session, d: m.Dossier, to: str, detail: str = "") -> None:
        s.add(
            m.DossierEvent(
                dossier_id=d.id, at=self.clock(), from_state=d.state, to_state=to, revision=d.revision, detail=detail
            )
        )
        d.state = to
        d.updated_at = self.clock()

    def _require(self, s: Session, edition_id: str, state: str, verb: str) -> m.Dossier:
        d = dossier_query(s, edition_id)
        if d is None:
            raise TransitionError(f"Il n'y a pas de dossier pour l'édition {edition_id}.")
        if d.state != state:
            raise TransitionError(
                f"Le dossier {edition_id} est {STATE_LABELS[d.state]} : il ne peut pas être {verb} "
                f"(il faut qu'il soit {STATE_LABELS[state]})."
            )
        return d

    def _current_snapshot(self, s: Session, d: m.Dossier) -> m.Snapshot:
        snap = s.scalar(select(m.Snapshot).where(m.Snapshot.dossier_id == d.id, m.Snapshot.revision == d.revision))
        if snap is None:  # pragma: no cover - validation always writes it
            raise TransitionError("La version validée de ce dossier est introuvable.")
        return snap


def frozen_message(d: m.Dossier) -> str:
    return (
        f"Le dossier {d.edition} est {STATE_LABELS[d.state]} (révision {d.revision})\u00a0: il ne change plus. "
        "Choisissez «\u00a0Modifier (nouvelle révision)\u00a0» sur la page Dossier pour le modifier."
    )
