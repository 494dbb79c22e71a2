"""Edits typed in the window and not yet written: the pending-edit queue, without Qt.

The window changes its in-memory dossier at once and queues an ``Edit``; ``PendingEdits`` coalesces them
(the last value of a field wins, an action created and deleted before it was written is never written) and
says when to write: ``AUTOSAVE_DELAY_MS`` after the last keystroke, but never later than ``MAX_DELAY_MS``
after the first unsaved one, so that steady typing is saved too. A batch is written by
``Workspace.apply_edits`` in one transaction that isolates an item that cannot be written; what failed
for a passing reason (the store locked, the disk full) is put back, under newer edits, to be retried.

``replay`` applies queued edits to a dossier freshly read from the store, so a reload never takes back
what was typed while it ran. Kept here, free of Qt, so that all of it is tested without a display.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.model import ActionData, DossierData, EpciAnswerData

AUTOSAVE_DELAY_MS = 600
MAX_DELAY_MS = 2000
Monotonic = Callable[[], float]  # seconds, like time.monotonic


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ActionCreate:
    uuid: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActionUpdate:
    uuid: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ActionDelete:
    uuid: str


@dataclass(frozen=True, slots=True)
class ActionRestore:
    """Undo of a deletion: the action as it was on screen, at its old place."""

    action: ActionData
    position: int


@dataclass(frozen=True, slots=True)
class AttachmentRemove:
    uuid: str
    sha256: str


@dataclass(frozen=True, slots=True)
class EpciEdit:
    criterion: str
    answer: bool | None
    details: str


Edit = ProfileEdit | ActionCreate | ActionUpdate | ActionDelete | ActionRestore | AttachmentRemove | EpciEdit


@dataclass(frozen=True, slots=True)
class EditFailure:
    """An item of a batch that was not written; ``retry`` when the cause may pass (lock, disk)."""

    edit: Edit
    message: str
    retry: bool


@dataclass(frozen=True, slots=True)
class EditReport:
    written: tuple[Edit, ...] = ()
    failed: tuple[EditFailure, ...] = ()


def action_uuid(edit: Edit) -> str | None:
    """The action an edit is about, if any."""
    if isinstance(edit, ActionRestore):
        return edit.action.uuid
    return getattr(edit, "uuid", None)


def describe(edit: Edit, dossier: DossierData | None = None) -> str:
    """Which part of the dossier an edit is about, in French, to say what was not saved."""
    if isinstance(edit, ProfileEdit):
        return "le profil de la collectivité"
    if isinstance(edit, EpciEdit):
        return f"le critère intercommunal {edit.criterion}"
    uuid = action_uuid(edit) or ""
    current = dossier.action(uuid) if dossier else None
    title = current.title.strip() if current else ""
    if isinstance(edit, ActionRestore):
        title = title or edit.action.title.strip()
    return f"l'action «\u00a0{title}\u00a0»" if title else "une action sans titre"


class PendingEdits:
    """Ordered, coalesced edits waiting to be written, and when they should be."""

    def __init__(self, clock: Monotonic) -> None:
        self._clock = clock
        self._edits: list[Edit] = []
        self._since: float | None = None  # when the oldest unsaved edit was made

    def __bool__(self) -> bool:
        return bool(self._edits)

    def __len__(self) -> int:
        return len(self._edits)

    @property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(self._edits)

    def add(self, edit: Edit) -> None:
        if not self._edits:
            self._since = self._clock()
        self._merge(edit)

    def delay_ms(self) -> int:
        """How long to wait before writing: the debounce, capped by the maximum delay."""
        if self._since is None:
            return AUTOSAVE_DELAY_MS
        waited_ms = (self._clock() - self._since) * 1000
        return max(0, min(AUTOSAVE_DELAY_MS, round(MAX_DELAY_MS - waited_ms)))

    def take(self) -> list[Edit]:
        """Everything queued, in order; the queue is empty after."""
        batch, self._edits, self._since = self._edits, [], None
        return batch

    def put_back(self, edits: Iterable[Edit]) -> None:
        """Edits that were not written go back in front; edits queued since are newer and win."""
        newer = self._edits
        self._edits = []
        for edit in [*edits, *newer]:
            self._merge(edit)
        if self._edits and self._since is None:
            self._since = self._clock()
        if not self._edits:
            self._since = None

    def drop_action(self, uuid: str) -> None:
        """Forget every queued edit of one action (it could not be created: nothing else of it can be)."""
        self._edits = [e for e in self._edits if action_uuid(e) != uuid]
        if not self._edits:
            self._since = None

    # ------------------------------------------------------------------ coalescing

    def _merge(self, edit: Edit) -> None:
        edits = self._edits
        if isinstance(edit, ProfileEdit):
            i = _last(edits, lambda e: isinstance(e, ProfileEdit))
            if i is not None:
                edits[i] = ProfileEdit({**edits[i].fields, **edit.fields})  # type: ignore[union-attr]
                return
        elif isinstance(edit, EpciEdit):
            i = _last(edits, lambda e: isinstance(e, EpciEdit) and e.criterion == edit.criterion)
            if i is not None:
                del edits[i]
        elif isinstance(edit, ActionUpdate):
            i = _last(edits, lambda e: action_uuid(e) == edit.uuid)
            last = edits[i] if i is not None else None
            if isinstance(last, ActionCreate | ActionUpdate):  # nothing structural since: fold into it
                edits[i] = replace(last, fields={**last.fields, **edit.fields})  # type: ignore[index]
                return
        elif isinstance(edit, ActionDelete):
            created = _last(edits, lambda e: isinstance(e, ActionCreate) and e.uuid == edit.uuid)
            self._edits = edits = [
                e for e in edits if not (action_uuid(e) == edit.uuid and isinstance(e, ActionUpdate | AttachmentRemove))
            ]
            if created is not None:  # created and deleted before it was ever written: write neither
                self._edits = [e for e in edits if not (isinstance(e, ActionCreate) and e.uuid == edit.uuid)]
                return
        edits.append(edit)


def _last(edits: list[Edit], match: Callable[[Edit], bool]) -> int | None:
    for i in range(len(edits) - 1, -1, -1):
        if match(edits[i]):
            return i
    return None


# ---------------------------------------------------------------------- applying to data in memory


def replay(dossier: DossierData, edits: Iterable[Edit]) -> DossierData:
    """``dossier`` as it will be once ``edits`` are written: merges what is typed into a fresh read."""
    for edit in edits:
        dossier = _replay_one(dossier, edit)
    return dossier


def _replay_one(d: DossierData, edit: Edit) -> DossierData:
    if isinstance(edit, ProfileEdit):
        return replace(d, profile=d.profile.updated(**edit.fields))
    if isinstance(edit, EpciEdit):
        answers = {a.criterion: a for a in d.epci_answers}
        answers[edit.criterion] = EpciAnswerData(edit.criterion, edit.answer, edit.details)
        return replace(d, epci_answers=tuple(answers[k] for k in sorted(answers)))
    actions = list(d.actions)
    index = {a.uuid: i for i, a in enumerate(actions)}
    if isinstance(edit, ActionCreate):
        if edit.uuid not in index:
            actions.append(ActionData(uuid=edit.uuid, **_as_data_fields(edit.fields)))
    elif isinstance(edit, ActionUpdate):
        if edit.uuid in index:
            i = index[edit.uuid]
            actions[i] = actions[i].updated(**_as_data_fields(edit.fields))
    elif isinstance(edit, ActionDelete):
        actions = [a for a in actions if a.uuid != edit.uuid]
    elif isinstance(edit, ActionRestore):
        if edit.action.uuid not in index:
            actions.insert(min(edit.position, len(actions)), edit.action)
    elif isinstance(edit, AttachmentRemove) and edit.uuid in index:
        i = index[edit.uuid]
        kept = tuple(a for a in actions[i].attachments if a.sha256 != edit.sha256)
        actions[i] = actions[i].updated(attachments=kept)
    return replace(d, actions=tuple(actions))


def _as_data_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in ("services", "addresses"):
        if key in out:
            out[key] = tuple(out[key])
    return out
