"""Alembic environment of the server: always run on the connection server.migrate hands over."""

from __future__ import annotations

from alembic import context

from server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run through server.migrate
    raise RuntimeError("Les migrations du serveur se lancent par « arobase-server init », pas par alembic.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
