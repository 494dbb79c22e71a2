"""The server's database handle: SQLite writers of one process queue without SQLite's sleeping busy handler."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from server.db import Database


def test_sqlite_writers_of_one_process_queue_in_turn_without_the_busy_timeout(tmp_path: Path) -> None:
    """Six threads each hold the write transaction for 0.15 s, three times SQLite's busy timeout: each waits
    its turn on the process's own queue (without it, SQLite's busy handler gives up: "database is locked")."""
    db = Database(f"sqlite:///{tmp_path / 'serveur.sqlite'}", busy_timeout_s=0.05)
    try:
        with db.write() as s:
            s.execute(text("CREATE TABLE tour (n INTEGER)"))
        failures: list[BaseException] = []

        def writer(n: int) -> None:
            try:
                with db.write() as s:
                    s.execute(text("INSERT INTO tour (n) VALUES (:n)"), {"n": n})
                    time.sleep(0.15)
            except Exception as exc:  # collected for the assertion below
                failures.append(exc)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert db.first(text("SELECT count(*) FROM tour"), {}) == (6,)
    finally:
        db.dispose()
