"""The open dossier, held in memory for the pages, and saved to the store within a second of each edit.

Pages read plain data (``dossier``, ``coverage()``) and call the edit methods; every edit changes the
in-memory dossier at once (so coverage and lists update live, without reading the database on every
paint) and is queued. A single-shot timer, restarted by each edit, writes what is queued through the
window's TaskRunner (the one database worker), so typing never waits on the disk and a crash loses at
most the last second. ``flush_now()`` writes synchronously on close.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.checks import Problem, check_dossier
from app.edition import Edition
from app.errors import ArobaseError, InvalidInput
from app.model import (
    ACTION_TEXT_FIELDS,
    ADDRESS_LABELS,
    PROFILE_LABELS,
    ActionData,
    DossierData,
    DossierSummary,
    EpciAnswerData,
    Profile,
)
from app.mosaic import Coverage, coverage
from app.text import check_text
from app.workspace import Status, Workspace
from ui.qt import QObject, QTimer, Signal
from ui.tasks import TaskRunner

AUTOSAVE_DELAY_MS = 600
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class DeletedAction:
    """What undo needs to put a deleted action back where it was."""

    action: ActionData
    position: int


class DossierController(QObject):
    """One dossier of one workspace: in-memory state, debounced autosave, undo of deletions."""

    loaded = Signal()  # the whole dossier was (re)read: pages refresh everything
    profile_changed = Signal()
    action_changed = Signal(str)  # uuid created or edited
    action_removed = Signal(str)  # uuid
    epci_changed = Signal(str)  # criterion id
    coverage_changed = Signal()
    state_changed = Signal()  # lifecycle state or revision
    load_failed = Signal(str)  # French sentence: the dossier could not be read
    saved = Signal(object)  # datetime of the last commit
    save_failed = Signal(str)  # French sentence
    field_error = Signal(str, str)  # field key ("profile.name", "action:<uuid>.synthesis"), message ("" = fixed)
    undo_available = Signal(bool)

    def __init__(
        self,
        ws: Workspace,
        runner: TaskRunner,
        edition_id: str | None = None,
        clock: Clock | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.runner = runner
        self.clock: Clock = clock or ws.clock
        self.edition: Edition = ws.edition(edition_id or ws.default_edition())
        self._dossier = DossierData(edition=self.edition.id)
        self._coverage: Coverage | None = None
        self._problems: list[Problem] = []
        self._problems_for: DossierData | None = None
        self._pending: dict[tuple[str, ...], Any] = {}
        self._undo: list[DeletedAction] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_pending)
        self.last_saved: datetime | None = None

    # ------------------------------------------------------------------ reading

    @property
    def dossier(self) -> DossierData:
        return self._dossier

    @property
    def profile(self) -> Profile:
        return self._dossier.profile

    @property
    def read_only(self) -> bool:
        """A validated, sent or received dossier is shown frozen until the user opens a new revision."""
        return self._dossier.state != "brouillon"

    def coverage(self) -> Coverage:
        if self._coverage is None:
            self._coverage = coverage(self.edition, self._dossier)
        return self._coverage

    def problems(self) -> list[Problem]:
        """The completeness check of the dossier as it is in memory, computed once per state of it.

        ``DossierData`` is immutable and every edit makes a new one, so the object itself is the cache key:
        the navigation, the dossier page and the summary share one computation.
        """
        if self._problems_for is not self._dossier:
            self._problems = check_dossier(self.edition, self._dossier, self.ws.today(), self.ws.has_file)
            self._problems_for = self._dossier
        return list(self._problems)

    def status(self) -> Status:
        """The summary figures (as ``Workspace.status`` gives them) from memory, without reading the store."""
        problems = self.problems()
        blocking = sum(1 for p in problems if p.blocking)
        d = self._dossier
        summary = DossierSummary(d.edition, d.state, d.revision, len(d.actions), None)
        return Status(
            self.ws.path, d.profile, self.edition, summary, self.coverage(), blocking, len(problems) - blocking
        )

    def action(self, action_uuid: str) -> ActionData | None:
        return self._dossier.action(action_uuid)

    def has_pending(self) -> bool:
        return bool(self._pending)

    def load(self, on_done: Callable[[], None] | None = None) -> None:
        """(Re)read the dossier in the background, creating it if the edition has none yet."""
        edition_id = self.edition.id

        def done(data: DossierData) -> None:
            self._set_dossier(data)
            self.loaded.emit()
            if on_done:
                on_done()

        self.runner.run(lambda: self.ws.open_dossier(edition_id), done, self._load_failed, owner=self)

    def load_now(self) -> None:
        """Synchronous load, for start-up paths and tests that need the data before the window shows."""
        self._set_dossier(self.ws.open_dossier(self.edition.id))
        self.loaded.emit()

    # ------------------------------------------------------------------ editing (memory now, disk soon)

    def set_profile_field(self, name: str, value: Any) -> bool:
        key = f"profile.{name}"
        if self.read_only:
            return False
        if isinstance(value, str) and not self._text_ok(key, value, PROFILE_LABELS[name], multiline=False):
            return False
        self._dossier = replace(self._dossier, profile=self._dossier.profile.updated(**{name: value}))
        self._queue(("profile", name), value)
        self.profile_changed.emit()
        return True

    def set_action_field(self, action_uuid: str, name: str, value: Any) -> bool:
        """Change one field of an action; text is checked first and refused text is kept on screen only."""
        key = f"action:{action_uuid}.{name}"
        if self.read_only:  # a frozen dossier changes only through "Modifier (nouvelle révision)"
            return False
        if name in ACTION_TEXT_FIELDS:
            label, multiline = ACTION_TEXT_FIELDS[name]
            if not self._text_ok(key, value, label, multiline=multiline):
                return False
        if name == "services":
            value = tuple(dict.fromkeys(value))
        if name == "addresses":
            value = tuple(value)
            for address in value:
                for part, label in ADDRESS_LABELS.items():
                    if not self._text_ok(key, getattr(address, part), label, multiline=False):
                        return False
        current = self._dossier.action(action_uuid)
        if current is None:
            return False
        if name in ("start_date", "end_date"):
            start = value if name == "start_date" else current.start_date
            end = value if name == "end_date" else current.end_date
            if start and end and end < start:
                self.field_error.emit(key, "La date de fin précède la date de début.")
                return False
        self._replace_action(current.updated(**{name: value}))
        self._queue(("action", action_uuid, name), value)
        if name in ("services", "level"):
            self._invalidate_coverage()
        return True

    def create_action(self, **fields: Any) -> str:
        """Add an action now (written at once, not debounced, so it exists before the user types)."""
        new_uuid = str(uuidlib.uuid4())
        data = ActionData(uuid=new_uuid, **fields)
        self._dossier = replace(self._dossier, actions=(*self._dossier.actions, data))
        edition_id = self.edition.id
        self.save_pending()  # keep write order: earlier edits first
        self.runner.run(
            lambda: self.ws.create_action(edition_id, action_uuid=new_uuid, **fields),
            lambda _a: self._committed(),
            self._failed,
            owner=self,
        )
        self.action_changed.emit(new_uuid)
        if fields.get("services"):
            self._invalidate_coverage()
        return new_uuid

    def delete_action(self, action_uuid: str) -> None:
        """Delete now; the action can be put back with ``undo_delete``."""
        actions = list(self._dossier.actions)
        index = next((i for i, a in enumerate(actions) if a.uuid == action_uuid), None)
        if index is None:
            return
        removed = actions.pop(index)
        self._dossier = replace(self._dossier, actions=tuple(actions))
        self._pending = {k: v for k, v in self._pending.items() if not (k[0] == "action" and k[1] == action_uuid)}
        self._undo.append(DeletedAction(removed, index))
        edition_id = self.edition.id
        self.save_pending()
        self.runner.run(
            lambda: self.ws.delete_action(edition_id, action_uuid),
            lambda _r: self._committed(),
            self._failed,
            owner=self,
        )
        self.action_removed.emit(action_uuid)
        self._invalidate_coverage()
        self.undo_available.emit(True)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo_delete(self) -> str | None:
        """Put back the last deleted action, with its uuid, position, links and attachments."""
        if not self._undo:
            return None
        item = self._undo.pop()
        actions = list(self._dossier.actions)
        actions.insert(min(item.position, len(actions)), item.action)
        self._dossier = replace(self._dossier, actions=tuple(actions))
        edition_id = self.edition.id
        self.save_pending()
        self.runner.run(
            lambda: self.ws.restore_action(edition_id, item.action, item.position),
            lambda _a: self._committed(),
            self._failed,
            owner=self,
        )
        self.action_changed.emit(item.action.uuid)
        self._invalidate_coverage()
        self.undo_available.emit(bool(self._undo))
        return item.action.uuid

    def set_epci_answer(self, criterion_id: str, answer: bool | None, details: str) -> bool:
        if self.read_only:
            return False
        if not self._text_ok(f"epci:{criterion_id}", details, "Précisions", multiline=True):
            return False
        answers = {a.criterion: a for a in self._dossier.epci_answers}
        answers[criterion_id] = EpciAnswerData(criterion_id, answer, details)
        self._dossier = replace(self._dossier, epci_answers=tuple(answers[k] for k in sorted(answers)))
        self._queue(("epci", criterion_id), (answer, details))
        self.epci_changed.emit(criterion_id)
        return True

    def add_attachment(
        self,
        action_uuid: str,
        path: Path,
        on_done: Callable[[], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Copy and hash the file off the GUI thread, then show it on the action."""
        edition_id = self.edition.id
        self.save_pending()

        def done(ref: Any) -> None:
            current = self._dossier.action(action_uuid)
            if current and all(a.sha256 != ref.sha256 for a in current.attachments):
                self._replace_action(current.updated(attachments=(*current.attachments, ref)))
            self._committed()
            if on_done:
                on_done()

        self.runner.run(
            lambda: self.ws.add_attachment(edition_id, action_uuid, path), done, on_failure or self._failed, owner=self
        )

    def remove_attachment(self, action_uuid: str, sha256: str) -> None:
        current = self._dossier.action(action_uuid)
        if current is None:
            return
        self._replace_action(current.updated(attachments=tuple(a for a in current.attachments if a.sha256 != sha256)))
        edition_id = self.edition.id
        self.save_pending()
        self.runner.run(
            lambda: self.ws.remove_attachment(edition_id, action_uuid, sha256),
            lambda _r: self._committed(),
            self._failed,
            owner=self,
        )

    # ------------------------------------------------------------------ lifecycle

    def validate(self, on_done: Callable[[Any], None], on_failure: Callable[[BaseException], None]) -> None:
        self.save_pending()
        edition_id = self.edition.id

        def done(snapshot: Any) -> None:
            self._dossier = replace(self._dossier, state="valide")
            self.state_changed.emit()
            on_done(snapshot)

        self.runner.run(lambda: self.ws.validate(edition_id), done, on_failure, owner=self)

    def reopen(
        self, on_done: Callable[[], None] | None = None, on_failure: Callable[[BaseException], None] | None = None
    ) -> None:
        """ "Modifier (nouvelle révision)": the dossier becomes a draft of the next revision."""
        edition_id = self.edition.id

        def done(data: DossierData) -> None:
            self._set_dossier(data)
            self.state_changed.emit()
            if on_done:
                on_done()

        self.runner.run(lambda: self.ws.reopen(edition_id), done, on_failure or self._failed, owner=self)

    # ------------------------------------------------------------------ saving

    def save_pending(self) -> None:
        """Hand every queued edit to the database worker now (the timer calls this)."""
        self._timer.stop()
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        edition_id = self.edition.id
        self.runner.run(
            lambda: self._write(edition_id, batch),
            lambda _r: self._committed(),
            lambda exc: self._batch_failed(batch, exc),
            owner=self,
        )

    def flush_now(self) -> None:
        """Write queued edits on this thread (window closing): callers first drain the runner."""
        self._timer.stop()
        batch, self._pending = self._pending, {}
        if batch:
            self._write(self.edition.id, batch)
            self.last_saved = self.clock()

    def _write(self, edition_id: str, batch: dict[tuple[str, ...], Any]) -> None:
        profile = {k[1]: v for k, v in batch.items() if k[0] == "profile"}
        if profile:
            self.ws.update_profile(**profile)
        per_action: dict[str, dict[str, Any]] = {}
        for key, value in batch.items():
            if key[0] == "action":
                per_action.setdefault(key[1], {})[key[2]] = value
        for action_uuid, fields in per_action.items():
            self.ws.update_action(edition_id, action_uuid, **fields)
        for key, (answer, details) in ((k, v) for k, v in batch.items() if k[0] == "epci"):
            self.ws.set_epci_answer(edition_id, key[1], answer, details)

    def _queue(self, key: tuple[str, ...], value: Any) -> None:
        self._pending[key] = value
        self._timer.start()

    def _committed(self) -> None:
        self.last_saved = self.clock()
        self.saved.emit(self.last_saved)

    def _batch_failed(self, batch: dict[tuple[str, ...], Any], exc: BaseException) -> None:
        # Keep the edits (newer ones win) so that nothing typed is dropped; retry at the next edit.
        self._pending = {**batch, **self._pending}
        self._failed(exc)

    def _load_failed(self, exc: BaseException) -> None:
        from localdb.store import StoreError

        if isinstance(exc, ArobaseError | StoreError):
            self.load_failed.emit(exc.message if isinstance(exc, ArobaseError) else str(exc))
            return
        self.load_failed.emit("Le dossier n'a pas pu être lu à cause d'une erreur inattendue.")
        raise exc

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ArobaseError):
            self.save_failed.emit(exc.message)
            return
        from localdb.store import StoreError

        if isinstance(exc, StoreError):
            self.save_failed.emit(str(exc))
            return
        self.save_failed.emit("Enregistrement impossible : une erreur inattendue s'est produite.")
        raise exc

    def _text_ok(self, key: str, value: str, label: str, *, multiline: bool) -> bool:
        try:
            check_text(value, label, multiline=multiline)
        except InvalidInput as exc:
            self.field_error.emit(key, exc.message)
            return False
        self.field_error.emit(key, "")
        return True

    def _replace_action(self, data: ActionData) -> None:
        self._dossier = replace(
            self._dossier, actions=tuple(data if a.uuid == data.uuid else a for a in self._dossier.actions)
        )
        self.action_changed.emit(data.uuid)

    def _set_dossier(self, data: DossierData) -> None:
        self._dossier = data
        self._undo.clear()
        self.undo_available.emit(False)
        self._invalidate_coverage()

    def _invalidate_coverage(self) -> None:
        self._coverage = None
        self.coverage_changed.emit()
