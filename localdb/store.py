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

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from localdb import revisions
from localdb.errors import StoreDamaged, StoreError, StoreLocked, StoreTooNew, StoreUnreadable
from localdb.files import FileStore

DEFAULT_BUSY_TIMEOUT_MS = 5000


def busy_timeout_ms() -> int:
    """How long to wait for another program's lock (``AROBASE_BUSY_TIMEOUT_MS``, for tests and support)."""
    raw = os.environ.get("AROBASE_BUSY_TIMEOUT_MS", "")
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_TIMEOUT_MS


def _root_cause(exc: BaseException) -> BaseException:
    """The error SQLite first raised: a full disk or an I/O error rolls the whole transaction back, so
    the savepoint rollback that follows fails too ("no such savepoint") and would hide the real cause."""
    seen = exc
    while "no such savepoint" in str(seen).lower() or "cannot rollback" in str(seen).lower():
        if seen.__context__ is None:
            break
        seen = seen.__context__
    return seen


def translate_db_error(exc: Exception, path: Path) -> StoreError:
    """Turn a driver error into the French sentence a secretary can act on."""
    exc = _root_cause(exc)  # type: ignore[assignment]
    msg = str(getattr(exc, "orig", exc)).lower()
    if "locked" in msg or "busy" in msg:
        return StoreLocked(
            f"Le fichier {path} est utilisé par un autre programme (une autre fenêtre d'Arobase ?). "
            "Fermez-le puis réessayez."
        )
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return StoreDamaged(
            f"Le fichier {path} n'est pas une base Arobase lisible (fichier endommagé ou d'un autre type). "
            "Ouvrez une sauvegarde ou un autre fichier.",
            path,
        )
    if "unable to open" in msg or "readonly" in msg or "read-only" in msg or "disk i/o" in msg:
        return StoreUnreadable(
            f"Impossible d'ouvrir ou d'écrire le fichier {path} : vérifiez le dossier, les droits "
            "et la place libre sur le disque."
        )
    if "disk is full" in msg or "database or disk is full" in msg:
        return StoreUnreadable(f"Le disque est plein : libérez de la place puis réessayez ({path}).")
    return StoreError(
        f"La base {path} a refusé l'opération ({getattr(exc, 'orig', exc)}) ; rien n'a été modifié. "
        "Signalez-le à l'assistance si cela se reproduit."
    )


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
        self.files = FileStore(path.with_name(path.stem + "-fichiers"))

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
        _refuse_emptied(path)
        _check_header(path)
        stamped = _preflight(path)
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


def _refuse_emptied(path: Path) -> None:
    """An empty file that has backups was a store once (a crash or a disk emptied it): never fill it with a
    new empty store, which would hide the backups' content behind a blank dossier."""
    if not path.is_file() or path.stat().st_size != 0:
        return
    from localdb.backups import list_files

    if list_files(path):
        raise StoreDamaged(
            f"Le fichier {path} est vide alors que des sauvegardes de ce fichier existent\u00a0: il a été "
            "endommagé. Restaurez une sauvegarde.",
            path,
        )


def _check_header(path: Path) -> None:
    """Refuse early a file that is not SQLite, before SQLite would try to write to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreUnreadable(f"Impossible de lire le fichier {path} : {exc.strerror}.") from None
    if head != b"SQLite format 3\x00":
        raise StoreUnreadable(
            f"Le fichier {path} n'est pas une base Arobase (ce n'est pas un fichier SQLite). "
            "Vérifiez le chemin ou ouvrez un autre fichier."
        )


def _preflight(path: Path) -> str | None:
    """Only read an existing file, before the engine may write to it (its connections switch the journal
    to WAL): refuse a damaged file, and return the schema revision it is stamped with, if any."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000, isolation_level=None)
        try:
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            row = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if tables and row is None:
                # Another program's database: never add our tables to it.
                raise StoreUnreadable(
                    f"Le fichier {path} est une base SQLite d'un autre programme, pas une base Arobase. "
                    "Choisissez un autre fichier, ou un nom de fichier nouveau pour créer une base."
                )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise translate_db_error(exc, path) from None
    return row[0] if row else None


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


def utcnow() -> datetime:
    """The default clock: naive UTC, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


__all__ = [
    "Store",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "StoreTooNew",
    "StoreUnreadable",
    "translate_db_error",
    "utcnow",
]
