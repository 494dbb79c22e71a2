"""What a town hall can say of a stored receipt: its signature checked again, and which receipt is whose.

A receipt is checked each time it is shown or printed, against the server keys pinned at sign-in
(``Account.public_keys()``), never trusted from a stored flag: a receipt changed in the file after it
was recorded, or signed by a key this computer does not know, says so in plain French.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.errors import ArobaseError

if TYPE_CHECKING:
    from app.outbox import Entry
    from app.workspace import Workspace


class NoReceipt(ArobaseError):
    """No receipt yet for that edition; the message says what to do."""


@dataclass(frozen=True, slots=True)
class SignatureStatus:
    """``verified`` only when the signature holds with a pinned key and the receipt is the revision's."""

    verified: bool
    key_id: str
    text: str  # one French sentence, for the screen and the paper


def check(
    receipt: Mapping[str, Any], keys: Mapping[str, bytes] | None, payload_sha256: str | None = None
) -> SignatureStatus:
    """Verify ``receipt`` now, with ``keys`` (None: this computer is not signed in, nothing to check against).

    ``payload_sha256`` is the frozen revision's hash, when known: a receipt for other content is refused.
    """
    from sync.receipt import verify

    key = str(receipt.get("key_id", ""))
    if not keys:
        return SignatureStatus(
            False, key, "Signature non vérifiée\u00a0: cet ordinateur n'est pas connecté au serveur de l'association "
            "(aucune clé enregistrée). Connectez-vous puis imprimez de nouveau l'accusé."
        )  # fmt: skip
    if key not in keys:
        return SignatureStatus(
            False, key, f"Signature non vérifiée\u00a0: la clé qui a signé ({key or 'absente'}) n'est pas celle du "
            "serveur enregistrée à la connexion. Cet accusé ne peut pas être considéré comme authentique."
        )  # fmt: skip
    if not verify(dict(receipt), dict(keys)):
        return SignatureStatus(
            False, key, "Signature invalide\u00a0: l'accusé a été modifié depuis sa signature par le serveur. "
            "Il ne peut pas être considéré comme authentique."
        )  # fmt: skip
    if payload_sha256 is not None and receipt.get("payload_sha256") != payload_sha256:
        return SignatureStatus(
            False, key, "Accusé signé, mais pour un autre contenu que la révision validée sur cet ordinateur."
        )
    return SignatureStatus(
        True, key, f"Accusé signé par le serveur de l'association, avec sa clé enregistrée à la connexion ({key})."
    )


def received_entries(ws: Workspace, edition: str) -> list[Entry]:
    """The outbox entries of ``edition`` that hold a receipt, latest revision last."""
    from app import outbox

    found = [e for e in outbox.entries(ws) if e.edition == edition and e.receipt is not None]
    return sorted(found, key=lambda e: (e.revision, e.id))


def of_revision(ws: Workspace, edition: str, revision: int) -> Entry | None:
    """The entry holding the receipt of that revision, if it was received."""
    return next((e for e in reversed(received_entries(ws, edition)) if e.revision == revision), None)


def latest(ws: Workspace, edition: str) -> Entry:
    """The latest received revision of ``edition``; :class:`NoReceipt` says what to do when there is none."""
    found = received_entries(ws, edition)
    if found:
        return found[-1]
    if not ws.has_dossier(edition):
        raise NoReceipt(f"Ce fichier ne contient pas de dossier pour l'édition {edition}\u00a0: il n'y a pas d'accusé.")
    state = ws.load(edition).state
    if state == "brouillon":
        todo = "validez le dossier (arobase validate) puis envoyez-le (arobase send)"
    else:
        todo = "envoyez le dossier validé (arobase send), ou importez l'accusé rapporté (arobase receipt --import)"
    raise NoReceipt(f"Pas encore d'accusé de réception pour l'édition {edition}\u00a0: {todo}.")
