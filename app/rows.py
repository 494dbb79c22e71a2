"""The one mapping between the store's rows (``localdb.models``) and the plain data of ``app.model``
(row values to plain data: ``app.row_values``, shared with the start-up read).

Reading a dossier, inserting actions one by one or by thousands, and applying an edit to an action row
all go through these functions, so that a column added to the action is added to ``ACTION_COLUMNS`` and
nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.model import (
    ACTION_COLUMNS,
    ADDRESS_LABELS,
    ActionData,
    Address,
    AttachmentRef,
    DossierData,
    EpciAnswerData,
    Profile,
    SnapshotInfo,
)
from app.row_values import ServiceOrder, action_from, address_from_row, attachment_from_row
from app.row_values import profile_from_row as profile_from_row  # part of this module's API (app.workspace)
from localdb import models as m


def action_columns(a: ActionData) -> dict[str, Any]:
    """The action row's own columns (not its id, dossier, position or times)."""
    return {k: getattr(a, k) for k in ACTION_COLUMNS}


def address_columns(addresses: Iterable[Address]) -> list[dict[str, Any]]:
    return [{"position": i, **{k: getattr(ad, k) for k in ADDRESS_LABELS}} for i, ad in enumerate(addresses)]


def attachment_columns(attachments: Iterable[AttachmentRef], added_at: datetime) -> list[dict[str, Any]]:
    return [
        {
            "position": i,
            "sha256": f.sha256,
            "size": f.size,
            "media_type": f.media_type,
            "original_name": f.name,
            "added_at": added_at,
        }
        for i, f in enumerate(attachments)
    ]


def action_data(row: m.Action, order: ServiceOrder) -> ActionData:
    """One action read through the ORM (after an edit of that action)."""
    return action_from(
        row,
        (x.service_id for x in row.services),
        (address_from_row(a) for a in row.addresses),
        (attachment_from_row(a) for a in row.attachments),
        order,
    )


def dossier_data(s: Session, d: m.Dossier, profile: Profile, order: ServiceOrder) -> DossierData:
    """Read a whole dossier with a handful of Core queries (no ORM objects: 5,000 actions in ~50 ms)."""
    act, svc = m.Action.__table__, m.ActionService.__table__
    adr, att = m.ActionAddress.__table__, m.Attachment.__table__
    mine = select(act.c.id).where(act.c.dossier_id == d.id).scalar_subquery()
    services: dict[int, list[str]] = {}
    for action_id, service_id in s.execute(select(svc.c.action_id, svc.c.service_id).where(svc.c.action_id.in_(mine))):
        services.setdefault(action_id, []).append(service_id)
    addresses: dict[int, list[Address]] = {}
    for r in s.execute(select(adr).where(adr.c.action_id.in_(mine)).order_by(adr.c.position, adr.c.id)):
        addresses.setdefault(r.action_id, []).append(address_from_row(r))
    attachments: dict[int, list[AttachmentRef]] = {}
    for r in s.execute(select(att).where(att.c.action_id.in_(mine)).order_by(att.c.position, att.c.id)):
        attachments.setdefault(r.action_id, []).append(attachment_from_row(r))
    actions = tuple(
        action_from(r, services.get(r.id, ()), addresses.get(r.id, ()), attachments.get(r.id, ()), order)
        for r in s.execute(select(act).where(act.c.dossier_id == d.id).order_by(act.c.position, act.c.id))
    )
    answers = s.execute(
        select(m.EpciAnswer.criterion_id, m.EpciAnswer.answer, m.EpciAnswer.details)
        .where(m.EpciAnswer.dossier_id == d.id)
        .order_by(m.EpciAnswer.criterion_id)
    )
    return DossierData(
        edition=d.edition,
        state=d.state,
        revision=d.revision,
        profile=profile,
        actions=actions,
        epci_answers=tuple(EpciAnswerData(*a) for a in answers),
    )


def new_action_row(d: m.Dossier, a: ActionData, position: int, now: datetime) -> m.Action:
    """An ORM action for ``a`` with its services, addresses and attachments (added by the caller)."""
    row = m.Action(dossier_id=d.id, uuid=a.uuid, position=position, created_at=now, updated_at=now, **action_columns(a))
    row.services = [m.ActionService(service_id=sid) for sid in dict.fromkeys(a.services)]
    row.addresses = [m.ActionAddress(**c) for c in address_columns(a.addresses)]
    row.attachments = [m.Attachment(**c) for c in attachment_columns(a.attachments, now)]
    return row


def insert_actions(s: Session, d: m.Dossier, actions: Sequence[ActionData], now: datetime) -> None:
    """Insert many actions with executemany; ids are assigned here, under the write lock."""
    if not actions:
        return
    first = (s.scalar(select(func.max(m.Action.id))) or 0) + 1
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for pos, a in enumerate(actions):
        aid = first + pos
        rows.append(
            {"id": aid, "dossier_id": d.id, "uuid": a.uuid, "position": pos, "created_at": now, "updated_at": now}
            | action_columns(a)
        )
        links += [{"action_id": aid, "service_id": sid} for sid in dict.fromkeys(a.services)]
        places += [{"action_id": aid, **c} for c in address_columns(a.addresses)]
        files += [{"action_id": aid, **c} for c in attachment_columns(a.attachments, now)]
    for model, values in (
        (m.Action, rows),
        (m.ActionService, links),
        (m.ActionAddress, places),
        (m.Attachment, files),
    ):
        if values:
            s.execute(insert(model.__table__), values)


def apply_action_values(row: m.Action, values: dict[str, Any]) -> None:
    """Set checked field values (``app.editing.checked_action_fields``) on an action row."""
    for key, value in values.items():
        if key == "services":
            wanted = list(value)
            row.services[:] = [x for x in row.services if x.service_id in wanted]
            have = {x.service_id for x in row.services}
            row.services.extend(m.ActionService(service_id=sid) for sid in wanted if sid not in have)
        elif key == "addresses":
            row.addresses[:] = [m.ActionAddress(**c) for c in address_columns(value)]
        else:
            setattr(row, key, value)


def iso(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def snapshot_info(x: m.Snapshot) -> SnapshotInfo:
    return SnapshotInfo(
        x.revision, x.sha256, iso(x.validated_at) or "", iso(x.sent_at), x.receipt_id, iso(x.received_at)
    )
