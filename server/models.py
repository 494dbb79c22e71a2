"""The server's own tables (SQLAlchemy 2), the same on SQLite and PostgreSQL; Alembic migrates them.

Nothing here is in-process state: tokens, upload offsets, idempotency and rate limits all live in the
database, so any worker can answer any request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the column: the same on both engines."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Collectivity(Base):
    """An account: one commune (INSEE) or EPCI (SIREN) enrolled by the association."""

    __tablename__ = "collectivities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))  # commune | epci | autre
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Membership(Base):
    """The collectivity is a member of the association for that year (staff set it)."""

    __tablename__ = "memberships"
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by: Mapped[str] = mapped_column(String(320))


class ActivationCode(Base):
    """A single-use code: ``lookup`` finds the row, the rest is checked against an argon2 hash."""

    __tablename__ = "activation_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"), index=True)
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Device(Base):
    """One enrolled copy of the desktop app; revoking it kills all its tokens."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RefreshToken(Base):
    """Status ``current`` → ``grace`` (after one rotation, usable once more) → ``spent`` (reuse revokes)."""

    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))


class AccessToken(Base):
    __tablename__ = "access_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Staff(Base):
    """A member of the association's staff, for the web pages."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StaffSession(Base):
    """A signed-in staff browser: the cookie holds the token (stored hashed), forms carry ``csrf_token``."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DepotSession(Base):
    """A town hall signed in on the /depot page: its own device (enrolled with an activation code), the cookie
    token stored hashed, ``csrf_token`` carried by its forms. Short-lived; signing out revokes the device."""

    __tablename__ = "depot_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Edition(Base):
    """A published questionnaire edition; ``content`` is its canonical JSON, ``sha256`` that of content."""

    __tablename__ = "editions"
    id: Mapped[str] = mapped_column(String(30), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    opens: Mapped[date | None] = mapped_column(Date, nullable=True)
    closes: Mapped[date | None] = mapped_column(Date, nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Receipt numbers are taken from here inside the submission's transaction: gapless per edition.
    last_receipt: Mapped[int] = mapped_column(Integer, default=0)


class Blob(Base):
    """A file the blob store holds (content-addressed)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccountFile(Base):
    """This account uploaded that file: only these count for its submissions and dedupe."""

    __tablename__ = "account_files"
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Upload(Base):
    """A tus upload in progress; its received bytes are ``upload_chunks`` rows, so any worker resumes it."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"), index=True)
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    metadata_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UploadChunk(Base):
    __tablename__ = "upload_chunks"
    upload_id: Mapped[str] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Submission(Base):
    """One received revision of a dossier; (account, submission uuid) is unique forever."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("collectivity_id", "submission_uuid", name="uq_submissions_account_uuid"),
        UniqueConstraint("edition_id", "receipt_number", name="uq_submissions_edition_receipt"),
        Index("ix_submissions_account_edition", "collectivity_id", "edition_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collectivity_id: Mapped[int] = mapped_column(ForeignKey("collectivities.id", ondelete="CASCADE"))
    submission_uuid: Mapped[str] = mapped_column(String(36))
    edition_id: Mapped[str] = mapped_column(ForeignKey("editions.id"))
    revision: Mapped[int] = mapped_column(Integer)
    replaces: Mapped[str | None] = mapped_column(String(36), nullable=True)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    dossier: Mapped[bytes] = mapped_column(LargeBinary)  # canonical JSON, exactly the bytes payload_sha256 names
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    receipt_number: Mapped[int] = mapped_column(Integer)
    attachment_count: Mapped[int] = mapped_column(Integer)
    attachment_bytes: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[str] = mapped_column(Text)  # the signed receipt, JSON, replayed byte for byte


class SigningKey(Base):
    """Public half of every receipt-signing key ever used, so old receipts stay verifiable."""

    __tablename__ = "signing_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RateCounter(Base):
    """Fixed-window counter for one key (``auth-ip:…``, ``auth-account:…``, ``account:…``)."""

    __tablename__ = "rate_counters"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
