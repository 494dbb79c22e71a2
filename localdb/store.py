"""Open a store file: SQLite tuned for never losing a committed word, migrated on open.

* WAL journal with ``synchronous=FULL``: a committed transaction survives a power cut.
* Foreign keys enforced; real transactions: pysqlite's implicit BEGIN handling is switched off and
  SQLAlchemy's ``begin`` emits our own BEGIN (IMMEDIATE for writes, so two writers queue up instead of
  failing half-way).
* Alembic migrations run at open, after a backup of the file has been taken (``localdb.backups``); a file
  already at the newest schema (``localdb.revisions.HEAD``) opens without importing Alembic.
* Every open of an existing file first runs ``PRAGMA quick_check`` (read only): a damaged file is
  refused with :class:`StoreDamaged`, before anything may write to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from localdb import revisions
from localdb.errors import StoreDamaged, StoreError, StoreLocked, StoreTooNew, StoreUnreadable
from localdb.files import FileStore, files_folder
from localdb.reader import busy_timeout_ms, check_header, preflight, refuse_emptied, translate_db_error, utcnow


class Store:
    """An open store file and the folder of its attachments."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        self._write_sessions = sessionmaker(
            bind=engine.execution_options(arobase_begin="BEGIN IMMEDIATE"),
            expire_on_commit=False,
            autoflush=True,
        )
        self.files = FileStore(files_folder(path))

    @classmethod
    def open(cls, path: Path | str, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the store at ``path`` and bring its schema up to date."""
        path = Path(path).expanduser().absolute()
        if path.is_dir():
            raise StoreUnreadable(f"{path} est un dossier : indiquez un fichier de base Arobase (.sqlite).")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnreadable(f"Impossible de créer le dossier {path.parent} : {exc.strerror}.") from None
        refuse_emptied(path)
        check_header(path)
        stamped = preflight(path)
        if migrate and not revisions.is_known(stamped):
            from localdb.migrate import refuse_unknown_revision

            refuse_unknown_revision(path, stamped)
        engine = _make_engine(path)
        store = cls(path, engine)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").fetchall()
            if migrate and stamped != revisions.HEAD:  # Alembic is imported only when a migration is due
                from localdb.migrate import upgrade_to_head

                upgrade_to_head(store)
        except StoreError:
            engine.dispose()
            raise
        except (OperationalError, DatabaseError) as exc:
            engine.dispose()
            raise translate_db_error(exc, path) from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; anything left unflushed is rolled back."""
        session = self._sessions()
        try:
            yield session
        except (OperationalError, DatabaseError) as exc:
            session.rollback()
            raise translate_db_error(exc, self.path) from None
        finally:
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One all-or-nothing write transaction, committed on success and rolled back on any error."""
        session = self._write_sessions()
        try:
            with session.begin():
                yield session
        except (OperationalError, DatabaseError) as exc:
            error = translate_db_error(exc, self.path)
            if not isinstance(error, StoreLocked):
                # A connection opened while the file was read-only (or the disk failing) stays so:
                # drop the pool, so that the next attempt opens the file anew once it is writable.
                session.close()
                self.engine.dispose()
            raise error from None
        finally:
            session.close()

    def integrity_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        except DatabaseError:  # "database disk image is malformed" is an answer, not a crash
            return False
        return rows == [("ok",)] and not fk


def _make_engine(path: Path) -> Engine:
    timeout_ms = busy_timeout_ms()
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from pysqlite: it would otherwise BEGIN lazily, only
        # before DML, leaving reads and DDL outside the transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql(conn.get_execution_options().get("arobase_begin", "BEGIN"))

    return engine


__all__ = [
    "Store",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "StoreTooNew",
    "StoreUnreadable",
    "busy_timeout_ms",
    "translate_db_error",
    "utcnow",
]
