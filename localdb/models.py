"""SQLAlchemy models of a store file: one collectivity, its dossiers for every edition, their actions.

The schema is owned by the Alembic migrations in ``localdb/migrations``; these models must match them
(a test compares both). Timestamps are naive UTC, given by the caller's clock, never read here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

KINDS = ("commune", "epci", "autre")
STATES = ("brouillon", "valide", "envoye", "recu")
DELIVERERS = ("collectivite", "association", "delegataire")
OUTBOX_STATES = ("en_attente", "en_cours", "envoye", "a_verifier")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Collectivity(Base):
    """The collectivity (commune, intercommunalité…) whose dossiers the file holds: one per file."""

    __tablename__ = "collectivity"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, default="")
    kind: Mapped[str] = mapped_column(String, default="commune")
    code: Mapped[str] = mapped_column(String, default="")
    departement: Mapped[str] = mapped_column(String, default="")
    population: Mapped[int | None] = mapped_column(Integer, nullable=True)
    street: Mapped[str] = mapped_column(String, default="")
    postal_code: Mapped[str] = mapped_column(String, default="")
    city: Mapped[str] = mapped_column(String, default="")
    referent_name: Mapped[str] = mapped_column(String, default="")
    referent_role: Mapped[str] = mapped_column(String, default="")
    referent_email: Mapped[str] = mapped_column(String, default="")
    referent_phone: Mapped[str] = mapped_column(String, default="")
    epci_code: Mapped[str] = mapped_column(String, default="", server_default=text("''"))
    epci_name: Mapped[str] = mapped_column(String, default="", server_default=text("''"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Dossier(Base):
    """The participation dossier of one edition, with its lifecycle state and revision."""

    __tablename__ = "dossier"
    __table_args__ = (
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("revision >= 1", name="revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String, unique=True)
    state: Mapped[str] = mapped_column(String, default="brouillon")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    actions: Mapped[list[Action]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Action.position"
    )
    epci_answers: Mapped[list[EpciAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="EpciAnswer.criterion_id"
    )
    snapshots: Mapped[list[Snapshot]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Snapshot.revision"
    )
    events: Mapped[list[DossierEvent]] = relationship(cascade="all, delete-orphan", order_by="DossierEvent.id")


class Action(Base):
    """A fiche action: what the collectivity did, linked to the services it covers."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("dossier_id", "uuid", name="uq_action_dossier_uuid"),
        CheckConstraint(f"delivered_by IS NULL OR {_in('delivered_by', DELIVERERS)}", name="delivered_by"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String, default="")
    synthesis: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str | None] = mapped_column(String, nullable=True)
    results: Mapped[str] = mapped_column(Text, default="")
    tools: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    delivered_by: Mapped[str | None] = mapped_column(String, nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    web_link: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="actions")
    services: Mapped[list[ActionService]] = relationship(
        cascade="all, delete-orphan", order_by="ActionService.service_id"
    )
    addresses: Mapped[list[ActionAddress]] = relationship(
        cascade="all, delete-orphan", order_by="ActionAddress.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan", order_by="Attachment.position")


class ActionService(Base):
    """Link between an action and a service id of the dossier's edition."""

    __tablename__ = "action_service"

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[str] = mapped_column(String, primary_key=True, index=True)


class ActionAddress(Base):
    """A postal address where an action takes place (school, library, public digital space…)."""

    __tablename__ = "action_address"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String, default="")
    street: Mapped[str] = mapped_column(String, default="")
    postal_code: Mapped[str] = mapped_column(String, default="")
    city: Mapped[str] = mapped_column(String, default="")


class Attachment(Base):
    """A file attached to an action; its bytes live in the content-addressed folder beside the store."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256"),
        CheckConstraint("size >= 0", name="size"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String)
    original_name: Mapped[str] = mapped_column(String)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class EpciAnswer(Base):
    """The answer of an intercommunality to one of the edition's EPCI criteria."""

    __tablename__ = "epci_answer"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[str] = mapped_column(String, primary_key=True)
    answer: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    details: Mapped[str] = mapped_column(Text, default="")


class Snapshot(Base):
    """The frozen canonical JSON of a validated revision; never changed once written."""

    __tablename__ = "snapshot"
    __table_args__ = (UniqueConstraint("dossier_id", "revision", name="uq_snapshot_dossier_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    validated_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    receipt_id: Mapped[str | None] = mapped_column(String, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    dossier: Mapped[Dossier] = relationship(back_populates="snapshots")


class DossierEvent(Base):
    """One lifecycle transition, kept as a journal for support staff."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    from_state: Mapped[str | None] = mapped_column(String, nullable=True)
    to_state: Mapped[str] = mapped_column(String)
    revision: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class OutboxItem(Base):
    """A validated revision to send: written with its snapshot, uuid, hash and attachment list, then frozen.

    Only the sending progress changes afterwards: state, attempts, last error, the tus addresses of the
    attachments (``uploads``, JSON sha256 → URL), whether the submission was posted, and the signed receipt.
    """

    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint(_in("state", OUTBOX_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String, default="en_attente")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"), nullable=True)
    replaces: Mapped[str | None] = mapped_column(String(36), nullable=True)
    attachments: Mapped[str] = mapped_column(Text, default="[]", server_default=text("'[]'"))
    uploads: Mapped[str] = mapped_column(Text, default="{}", server_default=text("'{}'"))
    bytes_total: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    posted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
