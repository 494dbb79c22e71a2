"""The /depot page's sessions: a town hall signed in on the web to drop a .arobase bundle.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "depot_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_depot_sessions_device_id_devices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_depot_sessions")),
    )
    with op.batch_alter_table("depot_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_depot_sessions_device_id"), ["device_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("depot_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_depot_sessions_device_id"))
    op.drop_table("depot_sessions")
