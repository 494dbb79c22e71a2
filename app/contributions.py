"""Add action fiches written by someone else (a teacher, an association) to the dossier.

The contributor exports an ``arobase.dossier`` file from their own copy of Arobase; only its actions
are taken, never its profile. An action already in the dossier — same identifier, or the same title
and synthesis once accents, case and spacing are ignored — is not added twice. Attached files do not
travel in the file: references to files this computer does not have are left out and listed, so that
the user asks the contributor for them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from app.edition import fold
from app.interchange import from_document
from app.model import ActionData, AttachmentRef
from app.workspace import Workspace

SAME_UUID = "Cette fiche est déjà dans le dossier."
SAME_TEXT = "Une action du dossier a déjà ce titre et cette synthèse."
TWICE_IN_FILE = "Cette fiche apparaît deux fois dans le fichier."


@dataclass(frozen=True, slots=True)
class Contribution:
    """One action of the contributed file."""

    action: ActionData  # as it would be added (attachments this computer lacks left out)
    missing_attachments: tuple[AttachmentRef, ...] = ()
    reason: str = ""  # why it is "déjà présente"; empty for an action to add

    @property
    def uuid(self) -> str:
        return self.action.uuid


@dataclass(frozen=True, slots=True)
class ContributionPreview:
    edition: str
    contributor: str  # the name of the collectivity in the file, for information only
    to_add: tuple[Contribution, ...]
    already_present: tuple[Contribution, ...]


def text_key(action: ActionData) -> tuple[str, str]:
    """Title and synthesis with accents, case and spacing ignored: what makes two fiches the same one."""
    return (" ".join(fold(action.title).split()), " ".join(fold(action.synthesis).split()))


def preview_contributions(ws: Workspace, edition_id: str, doc: Any) -> ContributionPreview:
    """Check the contributed document fully and sort its actions into "à ajouter" and "déjà présentes"."""
    data = from_document(doc, ws.edition(edition_id))
    existing = ws.load(edition_id).actions
    uuids = {a.uuid for a in existing}
    texts = {text_key(a) for a in existing}
    seen: set[tuple[str, str]] = set()
    to_add: list[Contribution] = []
    present: list[Contribution] = []
    for action in data.actions:
        key = text_key(action)
        if action.uuid in uuids:
            present.append(Contribution(action, reason=SAME_UUID))
            continue
        if key in texts:
            present.append(Contribution(action, reason=SAME_TEXT))
            continue
        if key in seen:
            present.append(Contribution(action, reason=TWICE_IN_FILE))
            continue
        seen.add(key)
        kept = tuple(f for f in action.attachments if ws.has_file(f.sha256))
        missing = tuple(f for f in action.attachments if not ws.has_file(f.sha256))
        to_add.append(Contribution(action.updated(attachments=kept), missing))
    return ContributionPreview(edition_id, data.profile.name, tuple(to_add), tuple(present))


def apply_contributions(
    ws: Workspace, preview: ContributionPreview, only: Collection[str] | None = None
) -> list[ActionData]:
    """Add the previewed actions (all, or the uuids in ``only``) at the end of the dossier.

    The dossier is read again first: an action that arrived meanwhile (same uuid or same text) is
    skipped, so applying twice never duplicates. The profile is not touched.
    """
    existing = ws.open_dossier(preview.edition).actions
    uuids = {a.uuid for a in existing}
    texts = {text_key(a) for a in existing}
    chosen: list[ActionData] = []
    for item in preview.to_add:
        if only is not None and item.uuid not in only:
            continue
        key = text_key(item.action)
        if item.uuid in uuids or key in texts:
            continue
        chosen.append(item.action)
        uuids.add(item.uuid)
        texts.add(key)
    return ws.add_actions(preview.edition, chosen)  # one transaction: all of them or none
