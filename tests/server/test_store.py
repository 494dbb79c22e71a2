"""The server's own migrations build exactly the tables its models describe, on SQLite (and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from server.db import Database
from server.migrate import current_revision, head_revision, upgrade
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
