"""Plain data (``app.model``) from the values of a store row, whatever read it: the ORM, SQLAlchemy Core or
plain ``sqlite3`` (``app.first_read``, at start-up, before SQLAlchemy is imported).

Kept apart from ``app.rows`` because it imports no database code: the one place where a row becomes
an ``ActionData`` or a ``Profile``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.edition import Edition
from app.model import ACTION_COLUMNS, ADDRESS_LABELS, PROFILE_FIELDS, ActionData, Address, AttachmentRef, Profile

ServiceOrder = dict[str, int]  # service id -> its rank in the edition: an action's services are shown in that order


def service_order(edition: Edition) -> ServiceOrder:
    return {sv.id: n for n, sv in enumerate(edition.services)}


def profile_from_row(row: Any) -> Profile:
    """``row``: the collectivity row (anything with its columns as attributes), or None before it exists."""
    if row is None:
        return Profile()
    return Profile(**{k: getattr(row, k) for k in PROFILE_FIELDS})


def address_from_row(r: Any) -> Address:
    return Address(**{k: getattr(r, k) for k in ADDRESS_LABELS})


def attachment_from_row(r: Any) -> AttachmentRef:
    return AttachmentRef(r.sha256, r.size, r.media_type, r.original_name)


def action_from(
    r: Any, services: Iterable[str], addresses: Iterable[Address], files: Iterable[AttachmentRef], order: ServiceOrder
) -> ActionData:
    """``r``: an ORM action or a Core row of the action table (both have the columns as attributes)."""
    last = len(order)
    return ActionData(
        uuid=r.uuid,
        **{k: getattr(r, k) for k in ACTION_COLUMNS},
        services=tuple(sorted(services, key=lambda sid: (order.get(sid, last), sid))),
        addresses=tuple(addresses),
        attachments=tuple(files),
    )
