"""Alembic environment: always run on the connection the store hands over (see localdb.migrate)."""

from __future__ import annotations

from alembic import context

from localdb.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes its connection
    raise RuntimeError("Les migrations d'Arobase se lancent depuis localdb.migrate, pas depuis la ligne de commande.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
