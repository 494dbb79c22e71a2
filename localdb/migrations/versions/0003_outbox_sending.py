"""outbox : instantané figé, révision remplacée, pièces jointes, reprise des envois, accusé signé

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replaces", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("attachments", sa.Text(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("uploads", sa.Text(), server_default=sa.text("'{}'"), nullable=False))
        batch_op.add_column(sa.Column("bytes_total", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("posted", sa.Boolean(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("receipt", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_snapshot_id_snapshot"), "snapshot", ["snapshot_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_snapshot_id_snapshot"), type_="foreignkey")
        for column in ("receipt", "posted", "bytes_total", "uploads", "attachments", "replaces", "snapshot_id"):
            batch_op.drop_column(column)
