"""intercommunalité d'une commune : SIREN et nom de son EPCI

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collectivity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("epci_code", sa.String(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column("epci_name", sa.String(), server_default=sa.text("''"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("collectivity", schema=None) as batch_op:
        batch_op.drop_column("epci_name")
        batch_op.drop_column("epci_code")
