"""The server's own migrations build exactly the tables its models describe, on SQLite (and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from server.db import Database
from server.migrate import alembic_config, current_revision, head_revision, upgrade
from server.models import Base
from tests.server.conftest import postgres_url, reset_postgres


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'serveur.sqlite'}"]
    if os.environ.get("AROBASE_TEST_DATABASE_URL"):
        reset_postgres("arobase_store")
        urls.append(postgres_url("arobase_store"))
    return urls


def test_migrations_match_the_models(tmp_path: Path) -> None:
    urls = _urls(tmp_path)
    for url in urls:
        db = Database(url)
        try:
            upgrade(db)
            assert current_revision(db) == head_revision()
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == [], url
        finally:
            db.dispose()
    if len(urls) > 1:
        reset_postgres("arobase_store", drop_only=True)


def test_postgresql_compresses_received_dossiers_with_lz4(tmp_path: Path) -> None:
    """A 260 kB dossier costs PostgreSQL less than half the CPU with lz4 than with pglz (migration 0003);
    going back to 0002 restores pglz."""
    if not os.environ.get("AROBASE_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL absent (AROBASE_TEST_DATABASE_URL) : la vérification n'a pas lieu")
    from alembic import command
    from sqlalchemy import text

    reset_postgres("arobase_lz4")
    db = Database(postgres_url("arobase_lz4"))
    method = text(
        "SELECT attcompression FROM pg_attribute WHERE attrelid = 'submissions'::regclass AND attname = 'dossier'"
    )
    try:
        upgrade(db)
        assert db.first(method, {}) == ("l",)
        with db.engine.connect() as conn:
            conn.execution_options(arobase_write=True)
            with conn.begin():
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0002")
        assert db.first(method, {}) == ("p",)
    finally:
        db.dispose()
        reset_postgres("arobase_lz4", drop_only=True)
