"""The open dossier, held in memory for the pages, and saved to the store within seconds of each edit.

Pages read plain data (``dossier``, ``coverage()``) and call the edit methods; every edit changes the
in-memory dossier at once (so coverage and lists update live, without reading the database on every
paint) and is queued in ``app.edits.PendingEdits``, which decides when to write (a pause in typing, or
two seconds after the first unsaved keystroke). A batch is written in one transaction through the
window's TaskRunner (the store lane), so typing never waits on the disk and a crash loses at most the
last two seconds. A batch that fails is kept and retried; a reload merges what is still queued; a
validated dossier refuses every edit. ``flush_now()`` writes synchronously on close and says whether
everything is on disk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.checks import Problem, check_dossier
from app.edition import Edition
from app.edits import (
    ActionCreate,
    ActionDelete,
    ActionRestore,
    ActionUpdate,
    AttachmentRemove,
    EpciEdit,
    ProfileEdit,
    replay,
)
from app.errors import ArobaseError, InvalidInput, StoreError, StoreLocked
from app.first_read import DeferredWorkspace
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
from app.workspace_types import Status
from ui import dossier_saving
from ui.dossier_saving import DossierSaving, Monotonic
from ui.qt import QObject, QTimer, Signal, SignalInstance
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.workspace import Workspace  # or app.first_read.DeferredWorkspace, which opens it on first use

Clock = Callable[[], datetime]
NOT_READ = (
    "Le dossier n'a pas encore pu être lu dans le fichier\u00a0: rien n'est enregistré tant qu'il n'est pas "
    "affiché. Arobase réessaie de le lire."
)


@dataclass(frozen=True, slots=True)
class DeletedAction:
    """What undo needs to put a deleted action back where it was."""

    action: ActionData
    position: int


class DossierController(DossierSaving):
    """One dossier of one workspace: in-memory state, debounced autosave, undo of deletions."""

    loaded = Signal()  # the whole dossier was (re)read: pages refresh everything
    profile_changed = Signal()
    action_changed = Signal(str)  # uuid created or edited
    action_removed = Signal(str)  # uuid
    epci_changed = Signal(str)  # criterion id
    coverage_changed = Signal()
    state_changed = Signal()  # lifecycle state or revision
    load_failed = Signal(str)  # French sentence: the dossier could not be read
    field_error = Signal(str, str)  # field key ("profile.name", "action:<uuid>.synthesis"), message ("" = fixed)
    undo_available = Signal(bool)

    def __init__(
        self,
        ws: Workspace,
        runner: TaskRunner,
        edition_id: str | None = None,
        clock: Clock | None = None,
        parent: QObject | None = None,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        super().__init__(parent, monotonic)
        self.ws = ws
        self.runner = runner
        self.clock: Clock = clock or ws.clock
        self.edition: Edition = ws.edition(edition_id or ws.default_edition())
        self._dossier = DossierData(edition=self.edition.id)
        self._coverage: Coverage | None = None
        self._problems: list[Problem] = []
        self._problems_for: DossierData | None = None
        self._undo: list[DeletedAction] = []
        self.loaded_once = False  # until the dossier is read, nothing typed may be written over it
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(dossier_saving.RETRY_DELAY_MS)  # the saving's delay, read when built
        self._reload_timer.timeout.connect(lambda: self.load())

    def content_signals(self) -> tuple[SignalInstance, ...]:
        """Every signal of an edit of the content (profile, an action, an EPCI answer, the coverage it changes).

        The one list of "the dossier changed" for whoever recomputes a summary, the problems or the mosaic:
        ``for signal in controller.content_signals(): signal.connect(slot)`` (the slot takes ``*args``).
        """
        return (
            self.profile_changed,
            self.action_changed,
            self.action_removed,
            self.epci_changed,
            self.coverage_changed,
        )

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

    def load(self, on_done: Callable[[], None] | None = None) -> None:
        """(Re)read the dossier in the background, creating it if the edition has none yet.

        What is typed meanwhile is not lost: the edits still queued or being written are replayed on
        what was read (they are written after it anyway).
        """
        edition_id = self.edition.id
        if self.runner.closed:
            return
        if isinstance(self.ws, DeferredWorkspace) and self.ws.has_first_dossier(edition_id):
            # Read at start already, on a thread of its own (app.first_read): the window is built on it and
            # shown once, full, rather than shown empty and laid out and painted a second time.
            self.load_now()
            if on_done:
                on_done()
            return

        def done(data: DossierData) -> None:
            self._set_dossier(self._merged(data))
            self.loaded.emit()
            if on_done:
                on_done()

        self.runner.run(lambda: self.ws.open_dossier(edition_id), done, self._load_failed, owner=self)

    def load_now(self) -> None:
        """Synchronous load, for start-up paths and tests that need the data before the window shows."""
        self._set_dossier(self._merged(self.ws.open_dossier(self.edition.id)))
        self.loaded.emit()

    def _merged(self, data: DossierData) -> DossierData:
        if data.state != "brouillon":
            return data
        return replay(data, [e for batch in self._in_flight for e in batch] + list(self._edits.edits))

    # ------------------------------------------------------------------ editing (memory now, disk soon)

    def set_profile_field(self, name: str, value: Any) -> bool:
        key = f"profile.{name}"
        if self._refuse_frozen():
            return False
        if isinstance(value, str) and not self._text_ok(key, value, PROFILE_LABELS[name], multiline=False):
            return False
        self._dossier = replace(self._dossier, profile=self._dossier.profile.updated(**{name: value}))
        self._queue(ProfileEdit({name: value}))
        self.profile_changed.emit()
        return True

    def set_action_field(self, action_uuid: str, name: str, value: Any) -> bool:
        """Change one field of an action; text is checked first and refused text is kept on screen only."""
        key = f"action:{action_uuid}.{name}"
        if self._refuse_frozen():  # a frozen dossier changes only through "Modifier (nouvelle révision)"
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
        self._queue(ActionUpdate(action_uuid, {name: value}))
        if name in ("services", "level"):
            self._invalidate_coverage()
        return True

    def create_action(self, **fields: Any) -> str | None:
        """Add an action now; it is written at once (not debounced), before anything typed into it."""
        if self._refuse_frozen():
            return None
        import uuid  # 10 ms at start for a new action's id

        new_uuid = str(uuid.uuid4())
        data = ActionData(uuid=new_uuid, **fields)
        self._dossier = replace(self._dossier, actions=(*self._dossier.actions, data))
        self._edits.add(ActionCreate(new_uuid, fields))
        self.save_pending()
        self.action_changed.emit(new_uuid)
        if fields.get("services"):
            self._invalidate_coverage()
        return new_uuid

    def delete_action(self, action_uuid: str) -> None:
        """Delete now; the action can be put back with ``undo_delete``."""
        actions = list(self._dossier.actions)
        index = next((i for i, a in enumerate(actions) if a.uuid == action_uuid), None)
        if index is None or self._refuse_frozen():
            return
        removed = actions.pop(index)
        self._dossier = replace(self._dossier, actions=tuple(actions))
        self._undo.append(DeletedAction(removed, index))
        self._edits.add(ActionDelete(action_uuid))
        self.save_pending()
        self.action_removed.emit(action_uuid)
        self._invalidate_coverage()
        self.undo_available.emit(True)

    def can_undo(self) -> bool:
        return bool(self._undo) and not self.read_only

    def undo_delete(self) -> str | None:
        """Put back the last deleted action, with its uuid, position, links and attachments."""
        if not self._undo or self._refuse_frozen():
            return None
        item = self._undo.pop()
        actions = list(self._dossier.actions)
        actions.insert(min(item.position, len(actions)), item.action)
        self._dossier = replace(self._dossier, actions=tuple(actions))
        self._edits.add(ActionRestore(item.action, item.position))
        self.save_pending()
        self.action_changed.emit(item.action.uuid)
        self._invalidate_coverage()
        self.undo_available.emit(bool(self._undo))
        return item.action.uuid

    def set_epci_answer(self, criterion_id: str, answer: bool | None, details: str) -> bool:
        if self._refuse_frozen():
            return False
        if not self._text_ok(f"epci:{criterion_id}", details, "Précisions", multiline=True):
            return False
        answers = {a.criterion: a for a in self._dossier.epci_answers}
        answers[criterion_id] = EpciAnswerData(criterion_id, answer, details)
        self._dossier = replace(self._dossier, epci_answers=tuple(answers[k] for k in sorted(answers)))
        self._queue(EpciEdit(criterion_id, answer, details))
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
        if self._refuse_frozen():
            return
        edition_id = self.edition.id
        self.save_pending()  # the action's creation is written first

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
        if current is None or self._refuse_frozen():
            return
        self._replace_action(current.updated(attachments=tuple(a for a in current.attachments if a.sha256 != sha256)))
        self._edits.add(AttachmentRemove(action_uuid, sha256))
        self.save_pending()

    # ------------------------------------------------------------------ lifecycle

    def validate(self, on_done: Callable[[Any], None], on_failure: Callable[[BaseException], None]) -> None:
        self.save_pending()
        edition_id = self.edition.id

        def done(snapshot: Any) -> None:
            self._dossier = replace(self._dossier, state="valide")
            self._undo.clear()  # an undo now would change the frozen dossier
            self.undo_available.emit(False)
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

    def _refuse_frozen(self) -> bool:
        """A validated, sent or received dossier changes only through "Modifier (nouvelle révision)"."""
        if not self.loaded_once:
            self.save_failed.emit(NOT_READ)
            return True
        if not self.read_only:
            return False
        self.save_failed.emit(
            "Ce dossier est validé\u00a0: il ne change plus. Choisissez «\u00a0Modifier (nouvelle révision)\u00a0» "
            "sur la page Dossier pour le modifier."
        )
        return True

    def _load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, StoreLocked):  # another program holds the file for a moment: read it again soon
            self._reload_timer.start()
        if isinstance(exc, ArobaseError | StoreError):
            self.load_failed.emit(exc.message if isinstance(exc, ArobaseError) else str(exc))
            return
        self.load_failed.emit("Le dossier n'a pas pu être lu à cause d'une erreur inattendue.")
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
        self.loaded_once = True
        self._dossier = data
        self._undo.clear()
        self.undo_available.emit(False)
        self._invalidate_coverage()

    def _invalidate_coverage(self) -> None:
        self._coverage = None
        self.coverage_changed.emit()
