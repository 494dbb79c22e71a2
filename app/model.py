"""Plain, immutable data of a dossier, handed to the UI, the checks, the mosaïque and the interchange.

The UI never sees an ORM object or a session: it gets these values from ``app.workspace`` and gives
changes back through its use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

KINDS = ("commune", "epci", "autre")
KIND_LABELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)", "autre": "Autre collectivité"}

STATES = ("brouillon", "valide", "envoye", "recu")
STATE_LABELS = {"brouillon": "brouillon", "valide": "validé", "envoye": "envoyé", "recu": "reçu"}

DELIVERERS = ("collectivite", "association", "delegataire")
DELIVERER_LABELS = {
    "collectivite": "La collectivité elle-même",
    "association": "Une association financée par des fonds publics",
    "delegataire": "Un délégataire ou un prestataire",
}


@dataclass(frozen=True, slots=True)
class Profile:
    """The collectivity and its referent for the association."""

    name: str = ""
    kind: str = "commune"
    code: str = ""
    departement: str = ""
    population: int | None = None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    referent_name: str = ""
    referent_role: str = ""
    referent_email: str = ""
    referent_phone: str = ""
    epci_code: str = ""  # SIREN of the intercommunality a commune belongs to
    epci_name: str = ""

    def updated(self, **changes: Any) -> Profile:
        return replace(self, **changes)


PROFILE_FIELDS = tuple(f.name for f in fields(Profile))

PROFILE_LABELS = {
    "name": "Nom de la collectivité",
    "kind": "Type de collectivité",
    "code": "Code INSEE ou SIREN",
    "departement": "Département",
    "population": "Population",
    "street": "Adresse",
    "postal_code": "Code postal",
    "city": "Commune (adresse)",
    "referent_name": "Nom du référent",
    "referent_role": "Fonction du référent",
    "referent_email": "Courriel du référent",
    "referent_phone": "Téléphone du référent",
    "epci_code": "SIREN de l'intercommunalité",
    "epci_name": "Intercommunalité",
}


@dataclass(frozen=True, slots=True)
class Address:
    label: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


ADDRESS_LABELS = {"label": "Lieu", "street": "Adresse", "postal_code": "Code postal", "city": "Commune"}


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """An attached file, by content hash; its bytes are in the store's file folder."""

    sha256: str
    size: int
    media_type: str
    name: str


@dataclass(frozen=True, slots=True)
class ActionData:
    """A fiche action."""

    uuid: str
    title: str = ""
    synthesis: str = ""
    level: str | None = None
    results: str = ""
    tools: str = ""
    partners: str = ""
    delivered_by: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    web_link: str = ""
    services: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    attachments: tuple[AttachmentRef, ...] = ()

    def updated(self, **changes: Any) -> ActionData:
        return replace(self, **changes)


# The fields of ActionData that are one column of the store's action row and one key of an interchange
# action, in the order of the form: the one list the store mapping (app.rows) and app.interchange use.
ACTION_COLUMNS = (
    "title",
    "synthesis",
    "level",
    "results",
    "tools",
    "partners",
    "delivered_by",
    "start_date",
    "end_date",
    "web_link",
)

ACTION_TEXT_FIELDS = {
    # field: (label, multiline)
    "title": ("Titre de l'action", False),
    "synthesis": ("Synthèse", True),
    "results": ("Résultats", True),
    "tools": ("Outils", True),
    "partners": ("Partenaires", True),
    "web_link": ("Lien web", False),
}
ACTION_LABELS = {
    **{k: v[0] for k, v in ACTION_TEXT_FIELDS.items()},
    "level": "Niveau de réalisation",
    "delivered_by": "Qui réalise l'action",
    "start_date": "Date de début",
    "end_date": "Date de fin",
    "services": "Services",
    "addresses": "Adresses",
    "attachments": "Pièces jointes",
}


@dataclass(frozen=True, slots=True)
class EpciAnswerData:
    criterion: str
    answer: bool | None = None
    details: str = ""


@dataclass(frozen=True, slots=True)
class DossierData:
    """A whole dossier as the user sees it: what validation freezes and the interchange carries."""

    edition: str
    state: str = "brouillon"
    revision: int = 1
    profile: Profile = field(default_factory=Profile)
    actions: tuple[ActionData, ...] = ()
    epci_answers: tuple[EpciAnswerData, ...] = ()

    def action(self, uuid: str) -> ActionData | None:
        for a in self.actions:
            if a.uuid == uuid:
                return a
        return None


@dataclass(frozen=True, slots=True)
class DossierSummary:
    edition: str
    state: str
    revision: int
    action_count: int
    snapshot_sha256: str | None


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    revision: int
    sha256: str
    validated_at: str
    sent_at: str | None = None
    receipt_id: str | None = None
    received_at: str | None = None
