"""Use cases on one store file: the only place that turns user intentions into store transactions.

Every method is one transaction: it either happens whole or not at all. Editing a dossier that is no
longer a draft (validé, envoyé, reçu) first starts a new draft revision; the frozen snapshot of the
previous revision stays as it was.
"""

from __future__ import annotations

import mimetypes
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.editing import MAX_POPULATION as MAX_POPULATION  # part of the public API (the profile form)
from app.editing import check_action_data, check_profile_changes, checked_action_fields
from app.edition import Edition
from app.edits import (
    ActionCreate,
    ActionDelete,
    ActionRestore,
    ActionUpdate,
    AttachmentRemove,
    Edit,
    EditFailure,
    EditReport,
    EpciEdit,
    ProfileEdit,
)
from app.errors import ArobaseError, InvalidInput
from app.interchange import from_document, to_document
from app.model import PROFILE_FIELDS, ActionData, Address, AttachmentRef, DossierData, Profile
from app.rows import action_data, apply_action_values, insert_actions, new_action_row, profile_from_row
from app.text import check_text
from app.workspace_lifecycle import DossierFrozen as DossierFrozen
from app.workspace_lifecycle import TransitionError as TransitionError
from app.workspace_lifecycle import ValidationBlocked as ValidationBlocked
from app.workspace_lifecycle import WorkspaceLifecycle, frozen_message
from app.workspace_reading import Clock as Clock
from app.workspace_reading import dossier_query
from app.workspace_types import MAX_ATTACHMENT_BYTES as MAX_ATTACHMENT_BYTES
from app.workspace_types import Status as Status
from localdb import models as m
from sync import dossier_format

GENERATOR = "Arobase 0.1.0"


class UnknownAction(ArobaseError):
    pass


@dataclass(frozen=True, slots=True)
class ImportReport:
    edition: str
    actions: int
    replaced_actions: int
    revision: int
    new_revision: bool


class Workspace(WorkspaceLifecycle):
    """A store file, the editions it is read against, and the clock; passed in, never global.

    Reading lives in ``app.workspace_reading``, the dossier's states in ``app.workspace_lifecycle``;
    here are the use cases that change the dossier, and the interchange file.
    """

    def open_dossier(self, edition_id: str) -> DossierData:
        """Start the dossier of an edition if needed, and return it."""
        self.edition(edition_id)
        with self.store.write() as s:
            self._dossier(s, edition_id)
        return self.load(edition_id)

    # ------------------------------------------------------------------ editing

    def update_profile(self, *, new_revision: bool = False, **changes: Any) -> Profile:
        """Change the collectivity's profile; refused while a dossier is frozen, unless ``new_revision``."""
        check_profile_changes(changes)
        with self.store.write() as s:
            return self._update_profile_in(s, changes, new_revision)

    def create_action(
        self, edition_id: str, *, action_uuid: str | None = None, new_revision: bool = False, **fields: Any
    ) -> ActionData:
        """Add an action at the end; ``action_uuid`` lets the UI name it before it is written."""
        edition = self.edition(edition_id)
        values = checked_action_fields(edition, fields)
        new_uuid = str(uuidlib.UUID(action_uuid)) if action_uuid else str(uuidlib.uuid4())
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            return self._create_action_in(s, d, new_uuid, values)

    def update_action(
        self, edition_id: str, action_uuid: str, *, new_revision: bool = False, **fields: Any
    ) -> ActionData:
        edition = self.edition(edition_id)
        values = checked_action_fields(edition, fields)
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            return self._update_action_in(s, d, action_uuid, values)

    def delete_action(self, edition_id: str, action_uuid: str, *, new_revision: bool = False) -> tuple[ActionData, int]:
        """Delete an action; returns it and its position so that it can be restored (undo)."""
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            row = self._action(s, d, action_uuid)
            data, pos = action_data(row, self._service_order(edition_id)), row.position
            s.delete(row)
            return data, pos

    def restore_action(
        self, edition_id: str, action: ActionData, position: int | None = None, *, new_revision: bool = False
    ) -> ActionData:
        """Put back a deleted action with its uuid, links and attachments (undo of a deletion)."""
        edition = self.edition(edition_id)
        check_action_data(edition, action)
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            return self._restore_action_in(s, d, action, position)

    def apply_edits(self, edition_id: str, edits: Sequence[Edit]) -> EditReport:
        """Write a batch of the window's edits in ONE transaction, each item in its own savepoint.

        An item that cannot be written (an action that is gone, a value the edition does not know) is
        rolled back alone and reported, and the others are written: one bad item never blocks the rest.
        A store failure (locked, disk full, read-only) fails the whole batch as a ``StoreError``, so the
        caller keeps every edit to retry. A frozen dossier refuses the batch (``DossierFrozen``).
        """
        edition = self.edition(edition_id)
        written: list[Edit] = []
        failed: list[EditFailure] = []
        with self.store.write() as s:
            d = self._editable(s, edition_id)
            for edit in edits:
                try:
                    with s.begin_nested():
                        self._apply_edit(s, d, edition, edit)
                except ArobaseError as exc:
                    failed.append(EditFailure(edit, exc.message, retry=False))
                except IntegrityError:
                    failed.append(EditFailure(edit, "la base a refusé cette modification (donnée en double)", False))
                else:
                    written.append(edit)
        return EditReport(tuple(written), tuple(failed))

    def add_actions(
        self, edition_id: str, actions: Sequence[ActionData], *, new_revision: bool = False
    ) -> list[ActionData]:
        """Append several actions, uuids kept, in ONE transaction; uuids already in the dossier are skipped.

        Used by the carry-over of a previous edition and by contributions: all or nothing, and running it
        again after an interruption never duplicates.
        """
        edition = self.edition(edition_id)
        for a in actions:
            check_action_data(edition, a)
            for sid in a.services:
                edition.service(sid)
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            have = set(s.scalars(select(m.Action.uuid).where(m.Action.dossier_id == d.id)))
            pos = (
                s.scalar(select(func.coalesce(func.max(m.Action.position), -1)).where(m.Action.dossier_id == d.id)) + 1
            )
            rows = []
            for a in actions:
                if a.uuid in have:
                    continue
                rows.append(new_action_row(d, a, pos, self.clock()))
                s.add(rows[-1])
                pos += 1
                have.add(a.uuid)
            s.flush()
            order = self._service_order(edition_id)
            return [action_data(r, order) for r in rows]

    def set_services(
        self, edition_id: str, action_uuid: str, service_ids: Iterable[str], *, new_revision: bool = False
    ) -> ActionData:
        return self.update_action(edition_id, action_uuid, services=tuple(service_ids), new_revision=new_revision)

    def set_addresses(
        self, edition_id: str, action_uuid: str, addresses: Sequence[Address], *, new_revision: bool = False
    ) -> ActionData:
        return self.update_action(edition_id, action_uuid, addresses=tuple(addresses), new_revision=new_revision)

    def add_attachment(
        self, edition_id: str, action_uuid: str, source: Path, *, new_revision: bool = False
    ) -> AttachmentRef:
        """Copy a file into the store's folder and attach it; the file is hashed while copied."""
        source = Path(source)
        with self.store.read() as s:  # a frozen dossier is refused before anything is copied
            d = dossier_query(s, edition_id)
            if d is not None and d.state != "brouillon" and not new_revision:
                raise DossierFrozen(frozen_message(d))
        check_text(source.name, "Nom du fichier", multiline=False, field=f"action:{action_uuid}.attachments")
        try:
            size = source.stat().st_size
        except OSError:
            raise InvalidInput(f"Le fichier {source} est introuvable ou illisible.") from None
        if not source.is_file():
            raise InvalidInput(f"{source} n'est pas un fichier.")
        if size > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                f"Le fichier « {source.name} » pèse {size / 1e6:.1f} Mo ; une pièce jointe ne peut pas dépasser "
                f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} Mo. Réduisez-le (photo redimensionnée, PDF compressé) "
                "ou mettez un lien web vers le document."
            )
        try:
            sha, size = self.store.files.put(source)
        except OSError as exc:
            raise InvalidInput(f"Impossible de copier le fichier « {source.name} » : {exc.strerror}.") from None
        media = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        ref = AttachmentRef(sha, size, media, source.name)
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            row = self._action(s, d, action_uuid)
            if any(a.sha256 == sha for a in row.attachments):
                return ref
            row.attachments.append(
                m.Attachment(
                    sha256=sha,
                    size=size,
                    media_type=media,
                    original_name=source.name,
                    position=len(row.attachments),
                    added_at=self.clock(),
                )
            )
            row.updated_at = self.clock()
        return ref

    def remove_attachment(self, edition_id: str, action_uuid: str, sha256: str, *, new_revision: bool = False) -> None:
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            self._remove_attachment_in(s, d, action_uuid, sha256)

    def set_epci_answer(
        self,
        edition_id: str,
        criterion_id: str,
        answer: bool | None,
        details: str = "",
        *,
        new_revision: bool = False,
    ) -> None:
        edition = self.edition(edition_id)
        edition.criterion(criterion_id)
        check_text(details, "Précisions", multiline=True, field=f"epci:{criterion_id}")
        with self.store.write() as s:
            d = self._editable(s, edition_id, new_revision)
            self._set_epci_in(s, d, criterion_id, answer, details)

    # ------------------------------------------------------------------ interchange

    def export_document(self, edition_id: str) -> dict[str, Any]:
        if not self.has_dossier(edition_id):
            raise ArobaseError(f"Ce fichier ne contient pas de dossier pour l'édition {edition_id}.")
        return to_document(self.load(edition_id), exported_at=self.clock(), generator=GENERATOR)

    def import_document(self, doc: Any) -> ImportReport:
        """Replace the dossier of the document's edition (and the profile) by the document, in one step."""
        edition_id = doc.get("edition") if isinstance(doc, dict) else None
        if not isinstance(edition_id, str):
            from app.interchange import InterchangeError

            try:  # say what is wrong with a file that is not a dossier at all, not just that "edition" is missing
                dossier_format.validate(doc)
            except dossier_format.FormatError as exc:
                raise InterchangeError(f"Dossier invalide : {exc}.") from None
            raise InterchangeError("Dossier invalide : le champ « edition » manque.")
        data = from_document(doc, self.edition(edition_id))
        with self.store.write() as s:
            row = self._collectivity(s)
            mine, theirs = _same_code(row.code), _same_code(data.profile.code)  # "200 046 977" is 200046977
            if mine and theirs and mine != theirs:
                raise InvalidInput(
                    f"Ce dossier est celui de « {data.profile.name} » (code {data.profile.code}) mais ce fichier "
                    f"Arobase contient « {row.name} » (code {row.code}). Un fichier ne contient qu'une "
                    "collectivité : ouvrez ou créez un autre fichier (option --db)."
                )
            for key in PROFILE_FIELDS:
                setattr(row, key, getattr(data.profile, key))
            row.updated_at = self.clock()
            d = self._dossier(s, edition_id)
            new_revision = d.state != "brouillon"
            if new_revision:
                self._reopen(s, d, "import d'un fichier")
            s.flush()
            replaced = s.scalar(select(func.count()).select_from(m.Action).where(m.Action.dossier_id == d.id)) or 0
            # Core statements: the database cascades to links, addresses and attachments.
            s.execute(delete(m.Action).where(m.Action.dossier_id == d.id))
            s.execute(delete(m.EpciAnswer).where(m.EpciAnswer.dossier_id == d.id))
            insert_actions(s, d, data.actions, self.clock())
            if data.epci_answers:
                s.execute(
                    insert(m.EpciAnswer),
                    [
                        {"dossier_id": d.id, "criterion_id": a.criterion, "answer": a.answer, "details": a.details}
                        for a in data.epci_answers
                    ],
                )
            s.expire(d)
            d.updated_at = self.clock()
            return ImportReport(edition_id, len(data.actions), replaced, d.revision, new_revision)

    # ------------------------------------------------------------------ internals

    def _update_profile_in(self, s: Session, changes: dict[str, Any], new_revision: bool) -> Profile:
        # The profile is part of what a validated dossier froze: a dossier validated or being sent
        # refuses the change, or starts a new revision when asked. Received ones are history.
        frozen = list(s.scalars(select(m.Dossier).where(m.Dossier.state.in_(("valide", "envoye")))))
        if frozen and not new_revision:
            raise DossierFrozen(frozen_message(frozen[0]))
        for d in frozen:
            self._reopen(s, d, "profil modifié")
        row = self._collectivity(s)
        for key, value in changes.items():
            setattr(row, key, value)
        row.updated_at = self.clock()
        return profile_from_row(row)

    def _create_action_in(self, s: Session, d: m.Dossier, new_uuid: str, values: dict[str, Any]) -> ActionData:
        pos = s.scalar(select(func.coalesce(func.max(m.Action.position), -1)).where(m.Action.dossier_id == d.id)) + 1
        now = self.clock()
        row = m.Action(dossier_id=d.id, uuid=new_uuid, position=pos, created_at=now, updated_at=now)
        s.add(row)
        apply_action_values(row, values)
        s.flush()
        return action_data(row, self._service_order(d.edition))

    def _update_action_in(self, s: Session, d: m.Dossier, action_uuid: str, values: dict[str, Any]) -> ActionData:
        row = self._action(s, d, action_uuid)
        start = values.get("start_date", row.start_date)
        end = values.get("end_date", row.end_date)
        if start and end and end < start:
            raise InvalidInput("La date de fin précède la date de début.", f"action:{action_uuid}.end_date")
        apply_action_values(row, values)
        row.updated_at = self.clock()
        s.flush()
        return action_data(row, self._service_order(d.edition))

    def _restore_action_in(self, s: Session, d: m.Dossier, action: ActionData, position: int | None) -> ActionData:
        if s.scalar(select(m.Action.id).where(m.Action.dossier_id == d.id, m.Action.uuid == action.uuid)):
            raise InvalidInput("Cette action existe déjà dans le dossier.")
        if position is None:
            position = (
                s.scalar(select(func.coalesce(func.max(m.Action.position), -1)).where(m.Action.dossier_id == d.id)) + 1
            )
        else:
            for other in s.scalars(select(m.Action).where(m.Action.dossier_id == d.id, m.Action.position >= position)):
                other.position += 1
        row = new_action_row(d, action, position, self.clock())
        s.add(row)
        s.flush()
        return action_data(row, self._service_order(d.edition))

    def _remove_attachment_in(self, s: Session, d: m.Dossier, action_uuid: str, sha256: str) -> None:
        row = self._action(s, d, action_uuid)
        row.attachments[:] = [a for a in row.attachments if a.sha256 != sha256]
        row.updated_at = self.clock()

    def _set_epci_in(self, s: Session, d: m.Dossier, criterion_id: str, answer: bool | None, details: str) -> None:
        row = s.get(m.EpciAnswer, (d.id, criterion_id))
        if row is None:
            row = m.EpciAnswer(dossier_id=d.id, criterion_id=criterion_id)
            s.add(row)
        row.answer, row.details = answer, details
        d.updated_at = self.clock()

    def _apply_edit(self, s: Session, d: m.Dossier, edition: Edition, edit: Edit) -> None:
        """One item of ``apply_edits``, checked as the single-edit use cases check it."""
        if isinstance(edit, ProfileEdit):
            changes = dict(edit.fields)
            check_profile_changes(changes)
            self._update_profile_in(s, changes, new_revision=False)
        elif isinstance(edit, ActionCreate):
            self._create_action_in(
                s, d, str(uuidlib.UUID(edit.uuid)), checked_action_fields(edition, dict(edit.fields))
            )
        elif isinstance(edit, ActionUpdate):
            self._update_action_in(s, d, edit.uuid, checked_action_fields(edition, dict(edit.fields)))
        elif isinstance(edit, ActionDelete):
            row = s.scalar(select(m.Action).where(m.Action.dossier_id == d.id, m.Action.uuid == edit.uuid))
            if row is not None:  # deleting what is already gone is done
                s.delete(row)
        elif isinstance(edit, ActionRestore):
            check_action_data(edition, edit.action)
            self._restore_action_in(s, d, edit.action, edit.position)
        elif isinstance(edit, AttachmentRemove):
            self._remove_attachment_in(s, d, edit.uuid, edit.sha256)
        elif isinstance(edit, EpciEdit):
            edition.criterion(edit.criterion)
            check_text(edit.details, "Précisions", multiline=True, field=f"epci:{edit.criterion}")
            self._set_epci_in(s, d, edit.criterion, edit.answer, edit.details)

    def _action(self, s: Session, d: m.Dossier, action_uuid: str) -> m.Action:
        row = s.scalar(select(m.Action).where(m.Action.dossier_id == d.id, m.Action.uuid == action_uuid))
        if row is None:
            raise UnknownAction(f"L'action {action_uuid} n'existe pas (ou plus) dans le dossier {d.edition}.")
        return row


def _same_code(code: str) -> str:
    """A collectivity code as compared between a file and the store: no spaces of any kind, upper case."""
    return "".join(code.split()).upper()
