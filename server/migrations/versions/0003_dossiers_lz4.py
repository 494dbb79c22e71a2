"""PostgreSQL compresses received dossiers with lz4 instead of pglz.

A dossier is stored as its canonical JSON (about 260 kB for 300 actions), which PostgreSQL compresses
out of line. pglz spent 9.5 ms of the database's CPU per submission on the 2-core machine, lz4 4 ms, for
a slightly larger file (bench/bench_server.py, deadline day). Rows already stored keep their compression;
a PostgreSQL built without lz4 (or older than 14) keeps pglz. Nothing changes on SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LZ4_AVAILABLE = (
    "SELECT current_setting('server_version_num')::int >= 140000 AND EXISTS ("
    "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
)


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.execute(sa.text(LZ4_AVAILABLE)).scalar():
        op.execute(f"ALTER TABLE submissions ALTER COLUMN dossier SET COMPRESSION {method}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")
