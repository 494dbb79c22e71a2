"""Start the dossier of a newer edition from last edition's actions.

Services keep their id from one edition to the next when they are unchanged; a service whose id is
gone is looked up by its wording (accents, case and spacing ignored). Whatever cannot be matched is
dropped from the action and listed, so that the user re-links it: an action left with no service at
all is still carried over (its text is the work) and shown first in the list to re-link.

The plan is plain data computed in memory; applying it writes through ``Workspace`` use cases.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.edition import Edition, fold
from app.errors import ArobaseError
from app.model import ActionData, DossierData
from app.workspace import Workspace

SAME_ID = "same-id"
SAME_LABEL = "same-label"


class CarryOverError(ArobaseError):
    """The actions cannot be carried over as planned."""


@dataclass(frozen=True, slots=True)
class ServiceLink:
    """What became of one service of an old action."""

    old_id: str
    old_label: str  # the wording in the old edition ("" if the old edition does not know the id)
    new_id: str | None  # None: dropped, the user re-links the action
    how: str  # SAME_ID, SAME_LABEL or "" when dropped

    @property
    def kept(self) -> bool:
        return self.new_id is not None


@dataclass(frozen=True, slots=True)
class CarriedAction:
    """One action of the old dossier as it will be written in the new edition."""

    action: ActionData  # uuid kept, services and level mapped to the new edition
    links: tuple[ServiceLink, ...]
    old_level: str | None  # the level before mapping, when the new edition does not know it
    already_there: bool = False  # the new dossier already has an action with this uuid

    @property
    def uuid(self) -> str:
        return self.action.uuid

    @property
    def dropped(self) -> tuple[ServiceLink, ...]:
        return tuple(link for link in self.links if not link.kept)

    @property
    def relinked(self) -> tuple[ServiceLink, ...]:
        """Services found again under another id, by their wording."""
        return tuple(link for link in self.links if link.how == SAME_LABEL)

    @property
    def needs_relink(self) -> bool:
        """No service is left: the user must link the action to services of the new edition."""
        return not self.action.services

    @property
    def level_dropped(self) -> bool:
        return self.old_level is not None


@dataclass(frozen=True, slots=True)
class CarryOverPlan:
    old_edition: str
    new_edition: str
    actions: tuple[CarriedAction, ...]

    @property
    def to_write(self) -> tuple[CarriedAction, ...]:
        return tuple(c for c in self.actions if not c.already_there)

    @property
    def to_relink(self) -> tuple[CarriedAction, ...]:
        """Actions that will arrive without any service."""
        return tuple(c for c in self.to_write if c.needs_relink)

    @property
    def with_dropped_services(self) -> tuple[CarriedAction, ...]:
        return tuple(c for c in self.to_write if c.dropped)


@dataclass(frozen=True, slots=True)
class CarryOverResult:
    edition: str
    added: tuple[str, ...]  # uuids written
    skipped: tuple[str, ...]  # uuids already in the new dossier
    to_relink: tuple[ActionData, ...]  # written with no service: the user links them


def _key(label: str) -> str:
    return " ".join(fold(label).split())


def plan_carry_over(
    old_edition: Edition, new_edition: Edition, old_dossier: DossierData, new_dossier: DossierData | None = None
) -> CarryOverPlan:
    """Map every action of ``old_dossier`` to ``new_edition``; ``new_dossier`` marks those already there."""
    if old_edition.id == new_edition.id:
        raise CarryOverError(f"Les actions sont déjà dans l'édition {new_edition.id}.")
    by_label: dict[str, list[str]] = {}
    for sv in new_edition.services:
        by_label.setdefault(_key(sv.label), []).append(sv.id)
    order = {sv.id: n for n, sv in enumerate(new_edition.services)}
    present = {a.uuid for a in new_dossier.actions} if new_dossier is not None else set()
    carried = []
    for action in old_dossier.actions:
        links = []
        for sid in action.services:
            old_label = old_edition.service(sid).label if old_edition.has_service(sid) else ""
            if new_edition.has_service(sid):
                links.append(ServiceLink(sid, old_label, sid, SAME_ID))
                continue
            matches = by_label.get(_key(old_label), []) if old_label else []
            if len(matches) == 1:  # two services with the same wording: let the user choose
                links.append(ServiceLink(sid, old_label, matches[0], SAME_LABEL))
            else:
                links.append(ServiceLink(sid, old_label, None, ""))
        services = tuple(sorted({link.new_id for link in links if link.new_id is not None}, key=order.__getitem__))
        level_ok = action.level is None or new_edition.has_level(action.level)
        data = action.updated(services=services, level=action.level if level_ok else None)
        carried.append(
            CarriedAction(data, tuple(links), None if level_ok else action.level, already_there=action.uuid in present)
        )
    return CarryOverPlan(old_edition.id, new_edition.id, tuple(carried))


def apply_carry_over(
    ws: Workspace, plan: CarryOverPlan, new_edition_id: str, only: Collection[str] | None = None
) -> CarryOverResult:
    """Write the planned actions (all, or the uuids in ``only``) at the end of the new edition's dossier.

    Everything is checked before the first write; actions already in the new dossier are skipped, so
    running it again after an interruption finishes the job without duplicating anything.
    """
    if plan.new_edition != new_edition_id:
        raise CarryOverError(
            f"Ce plan de reprise concerne l'édition {plan.new_edition}, pas l'édition {new_edition_id}."
        )
    edition = ws.edition(new_edition_id)
    wanted = [c for c in plan.actions if only is None or c.uuid in only]
    for c in wanted:
        unknown = [sid for sid in c.action.services if not edition.has_service(sid)]
        if unknown or (c.action.level is not None and not edition.has_level(c.action.level)):
            raise CarryOverError(
                f"L'action « {c.action.title or c.uuid} » ne correspond pas à l'édition {new_edition_id} : "
                "recommencez la reprise des actions."
            )
    existing = {a.uuid for a in ws.open_dossier(new_edition_id).actions}
    skipped = [c.uuid for c in wanted if c.uuid in existing]
    written = ws.add_actions(new_edition_id, [c.action for c in wanted if c.uuid not in existing])
    added = [a.uuid for a in written]
    to_relink = tuple(c.action for c in wanted if c.uuid in added and c.needs_relink)
    return CarryOverResult(new_edition_id, tuple(added), tuple(skipped), to_relink)


def newer_editions(ws: Workspace, edition_id: str) -> list[str]:
    """Installed editions after ``edition_id``, newest first (the ones a dossier can be carried to)."""
    return sorted((e for e in ws.catalog.ids() if e > edition_id), reverse=True)
