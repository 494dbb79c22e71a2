"""The server's database: one engine, short transactions, the same code on SQLite and PostgreSQL.

SQLite (the laptop default) runs in WAL mode with ``synchronous=FULL`` and real transactions: a write
transaction starts with ``BEGIN IMMEDIATE`` so writers from several workers queue on the database lock
instead of failing half-way. WAL lets readers (every request's token lookup) run beside the one writer;
``FULL`` syncs the log at every commit, so a receipt, signed once its transaction commits, survives a power
cut — ``NORMAL`` would be faster and lose the last commits then, which a signed receipt must never be.

Inside one process the writers first queue on a Python lock: SQLite's busy handler polls the database lock
with sleeps of up to 100 ms, so eight waiting town halls used to sleep through most of the time the lock
was free (p99 of a send 1.9 s → 0.6 s, measured with bench/bench_server.py). Across worker processes the
busy timeout still does the queueing.

PostgreSQL runs at READ COMMITTED; where a decision depends on rows that
another worker may be writing, the caller takes a lock (``Database.lock``), never a check-then-insert.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, Executable, Row, TextClause, create_engine, event, text
from sqlalchemy.orm import Session

BUSY_TIMEOUT_S = 30


class DatabaseUnavailable(Exception):
    """The database cannot be reached or is not initialised; the message is French."""


class Database:
    """Owns the engine; hands out sessions inside one transaction."""

    def __init__(self, url: str, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        url = normalise_url(url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _make_engine(url, busy_timeout_s)
        self._writers: AbstractContextManager[object] = threading.Lock() if self.is_sqlite else nullcontext()
        self._on_driver: dict[TextClause, tuple[str, list[str], dict[str, Any]]] = {}  # keeps each statement alive

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self._writers, self.engine.connect() as conn:
            conn.execution_options(arobase_write=True)
            with conn.begin(), Session(bind=conn, expire_on_commit=False, autoflush=True) as session:
                yield session
                session.flush()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.engine.connect() as conn, conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
            yield session

    def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read statement, outside any session or explicit transaction (a statement is
        consistent on its own): the cheapest read, for what runs on every request."""
        with self.engine.connect() as conn:
            return conn.execute(statement, params).first()

    def first_plain(self, statement: TextClause, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """``first`` for the read every request makes (the token lookup), with the driver's values back:
        only for result columns that need no conversion (text, integers).

        The statement, compiled once, runs straight on a pooled driver connection (PEP 249): SQLAlchemy's
        execution context, result metadata and row objects cost several times what SQLite takes to answer
        it. Its parameters go through their types' bind processors, as SQLAlchemy would."""
        sql, order, processors = self._driver_form(statement)
        values: Any = {n: processors[n](v) if n in processors else v for n, v in params.items()}
        if order:  # a positional paramstyle (SQLite's qmark); psycopg takes the names
            values = [values[n] for n in order]
        fairy = self.engine.raw_connection()
        try:
            cursor = fairy.cursor()
            try:
                cursor.execute(sql, values)
                row = cursor.fetchone()
            finally:
                cursor.close()
            return None if row is None else tuple(row)
        finally:
            fairy.close()

    def _driver_form(self, statement: TextClause) -> tuple[str, list[str], dict[str, Any]]:
        """The dialect's SQL of ``statement``, its positional parameter names and their bind processors."""
        found = self._on_driver.get(statement)
        if found is None:
            dialect = self.engine.dialect
            compiled = statement.compile(dialect=dialect)
            processors = {name: p for name, bind in compiled.binds.items() if (p := bind.type.bind_processor(dialect))}
            found = (compiled.string, list(compiled.positiontup or ()), processors)
            self._on_driver[statement] = found
        return found

    def lock(self, session: Session, name: str, *, wait: bool = True) -> bool:
        """Take a lock named ``name`` until the transaction ends, held across every worker and machine.

        PostgreSQL: a transaction-level advisory lock. SQLite: the write transaction already holds the
        database's one write lock (BEGIN IMMEDIATE), which serialises every writer. Returns False when
        ``wait`` is False and another transaction holds it.
        """
        if self.is_sqlite:
            return True
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        if wait:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            return True
        return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())

    def dispose(self) -> None:
        self.engine.dispose()


def normalise_url(url: str) -> str:
    """``postgresql://`` (what people write) → SQLAlchemy's psycopg 3 driver, the one the extra installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def insert_for(session: Session, model: type) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _make_engine(url: str, busy_timeout_s: float) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # Straight to the driver: through exec_driver_sql, SQLAlchemy's statement machinery costs more than
        # SQLite takes to begin, at every transaction of every request.
        write = conn.get_execution_options().get("arobase_write")
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
