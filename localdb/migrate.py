"""Run the Alembic migrations of a store, programmatically, after backing the file up (``localdb.backups``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from localdb.store import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script().get_current_head()
    assert head is not None
    return head


def all_revisions() -> list[str]:
    """Every revision id, oldest first."""
    return [rev.revision for rev in reversed(list(script().walk_revisions()))]


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _has_tables(store: Store) -> bool:
    with store.engine.connect() as conn:
        return bool(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar())


def upgrade(store: Store, target: str = "head") -> None:
    """Run the migrations in one transaction, foreign keys off, and refuse to commit a broken reference.

    A batch migration rebuilds a table (copy, DROP, rename): with foreign keys on, dropping ``dossier``
    or ``action`` would cascade-delete every action, link, address and attachment. The pragma is a no-op
    inside a transaction, so it is switched on the raw connection before Alembic begins, and back on
    before the connection returns to the pool.
    """
    from localdb.store import StoreError

    cfg = alembic_config()
    with store.engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys=OFF")
        try:
            if dbapi.execute("PRAGMA foreign_keys").fetchone() != (0,):  # pragma: no cover - SQLite guarantee
                raise StoreError(f"Impossible de préparer la mise à jour du fichier {store.path}.")
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    tables = ", ".join(sorted({str(row[0]) for row in broken}))
                    links = f"{len(broken)} {'liens cassés' if len(broken) > 1 else 'lien cassé'}"
                    raise StoreError(
                        f"La mise à jour du fichier {store.path} a été annulée\u00a0: elle aurait laissé "
                        f"{links} entre les données ({tables}). Le fichier est resté "
                        "tel qu'il était\u00a0; signalez-le à l'assistance."
                    )
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")


def refuse_unknown_revision(path: Path, current: str | None) -> None:
    """A file stamped by a newer Arobase is refused before anything touches it."""
    from localdb.store import StoreTooNew

    if current is not None and current not in all_revisions():
        raise StoreTooNew(
            f"Le fichier {path} a été enregistré par une version plus récente d'Arobase "
            f"(schéma « {current} »). Mettez Arobase à jour pour l'ouvrir."
        )


def upgrade_to_head(store: Store) -> Path | None:
    """Bring the store to the newest schema; returns the backup taken, if any."""
    current = current_revision(store)
    head = head_revision()
    if current == head:
        return None
    refuse_unknown_revision(store.path, current)
    from localdb.backups import take
    from localdb.store import utcnow

    backup = take(store.path, "avant-migration", utcnow()) if _has_tables(store) else None
    upgrade(store)
    return backup
