"""The schema revisions this Arobase knows, without importing Alembic (0.25 s at every start otherwise).

A store stamped with ``HEAD`` opens with a plain ``SELECT`` on ``alembic_version``; Alembic is imported
only when a migration is due (``localdb.migrate``). ``tests/test_migrations.py`` checks these ids
against Alembic's own walk of ``migrations/versions``: add the new id here with every new migration.
"""

from __future__ import annotations

KNOWN = ("0001", "0002", "0003")  # oldest first
HEAD = KNOWN[-1]


def is_known(revision: str | None) -> bool:
    return revision is None or revision in KNOWN
