"""The store file: SQLite settings, refusal of unusable files, real transactions, locking, attachments folder.

Everything runs on real files in ``tmp_path``; a second program is played by a raw ``sqlite3``
connection, which is exactly what another Arobase window or a curious tool would be.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.workspace import Workspace
from localdb import models as m
from localdb.files import FileStore, sha256_of
from localdb.store import Store, StoreError, StoreLocked, StoreUnreadable
from tests.factories import FIXED_NOW, fixed_clock

DOSSIER_SQL = (
    "INSERT INTO dossier (edition, state, revision, created_at, updated_at) "
    "VALUES (:e, 'brouillon', 1, '2026-11-23 10:30:00', '2026-11-23 10:30:00')"
)


@contextmanager
def raw(path: Path, **kwargs: object) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(path, **kwargs)) as conn:  # type: ignore[arg-type]
        yield conn


def editions(path: Path) -> list[str]:
    with raw(path) as conn:
        return [r[0] for r in conn.execute("SELECT edition FROM dossier ORDER BY id")]


def family(path: Path) -> list[str]:
    """The store file and whatever SQLite or Arobase put beside it."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.stem) or p.name == "sauvegardes")


# ---------------------------------------------------------------------- settings


def test_open_creates_the_file(store_path: Path) -> None:
    assert not store_path.exists()
    with Store.open(store_path) as store:
        assert store.path == store_path
        assert store_path.is_file()
        assert store_path.read_bytes()[:16] == b"SQLite format 3\x00"
        assert store.integrity_ok()
    with raw(store_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # persistent in the file
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"collectivity", "dossier", "action", "snapshot", "alembic_version"} <= tables


def _pragmas(conn: object) -> tuple[object, ...]:
    run = conn.exec_driver_sql  # type: ignore[attr-defined]
    return (
        run("PRAGMA journal_mode").scalar(),
        run("PRAGMA foreign_keys").scalar(),
        run("PRAGMA synchronous").scalar(),
        run("PRAGMA busy_timeout").scalar(),
    )


def test_every_pooled_connection_is_tuned(store_path: Path) -> None:
    with Store.open(store_path) as store:
        # Several connections checked out at once: each is a distinct DBAPI connection of the pool.
        conns = [store.engine.connect() for _ in range(4)]
        try:
            assert len({id(c.connection.dbapi_connection) for c in conns}) == 4
            for c in conns:
                assert _pragmas(c) == ("wal", 1, 2, 5000)
        finally:
            for c in conns:
                c.close()
        with store.read() as s:
            assert _pragmas(s.connection()) == ("wal", 1, 2, 5000)
        with store.write() as s:
            assert _pragmas(s.connection()) == ("wal", 1, 2, 5000)


def test_busy_timeout_comes_from_the_environment(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")
    with Store.open(store_path) as store, store.engine.connect() as conn:
        assert _pragmas(conn) == ("wal", 1, 2, 200)


def test_foreign_keys_are_enforced(store_path: Path) -> None:
    with Store.open(store_path) as store:
        with pytest.raises(StoreError), store.write() as s:
            s.execute(
                text(
                    "INSERT INTO dossier_event (dossier_id, at, to_state, revision, detail) "
                    "VALUES (42, '2026-11-23', 'brouillon', 1, '')"
                )
            )
        assert store.integrity_ok()
    with raw(store_path) as conn:
        assert conn.execute("SELECT count(*) FROM dossier_event").fetchone() == (0,)


# ---------------------------------------------------------------------- files that are not usable stores


def test_garbage_file_is_refused_and_left_untouched(store_path: Path) -> None:
    garbage = random.Random(7).randbytes(20_000)
    store_path.write_bytes(garbage)
    before = family(store_path)
    with pytest.raises(StoreUnreadable) as exc:
        Store.open(store_path)
    msg = str(exc.value)
    assert str(store_path) in msg and "n'est pas une base Arobase" in msg
    assert store_path.read_bytes() == garbage
    assert family(store_path) == before  # no -wal, -shm or backup created


def test_text_file_is_refused(store_path: Path) -> None:
    content = b"nom;population\nSaint-Aubin;1047\n"
    store_path.write_bytes(content)
    with pytest.raises(StoreUnreadable, match="ce n'est pas un fichier SQLite"):
        Store.open(store_path)
    assert store_path.read_bytes() == content


@pytest.mark.parametrize("cut", ["header-then-garbage", "truncated"])
def test_damaged_sqlite_file_is_refused_and_left_untouched(store_path: Path, cut: str) -> None:
    Store.open(store_path).close()
    good = store_path.read_bytes()
    if cut == "truncated":
        damaged = good[: len(good) // 2 + 100]
    else:
        damaged = good[:16] + random.Random(3).randbytes(len(good) - 16)
    store_path.write_bytes(damaged)
    with pytest.raises(StoreUnreadable) as exc:
        Store.open(store_path)
    assert "n'est pas une base Arobase lisible" in str(exc.value)
    assert store_path.read_bytes() == damaged
    assert family(store_path) == [store_path.name]


def test_damaged_index_page_is_refused(store_path: Path) -> None:
    """A file SQLite still opens but whose quick_check reports damage must not be used."""
    Store.open(store_path).close()
    with raw(store_path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_action_dossier_id'").fetchone()[0]
    damaged = bytearray(store_path.read_bytes())
    damaged[(root - 1) * page_size] = 0xFF  # an impossible b-tree page type
    store_path.write_bytes(bytes(damaged))
    with raw(store_path) as conn:
        assert conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    with pytest.raises(StoreUnreadable, match="endommagé"):
        Store.open(store_path)
    assert store_path.read_bytes() == bytes(damaged)


def test_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "dossier.sqlite"
    folder.mkdir()
    with pytest.raises(StoreUnreadable, match="est un dossier"):
        Store.open(folder)
    assert list(folder.iterdir()) == []


def test_empty_file_becomes_a_store(store_path: Path) -> None:
    store_path.touch()
    with Store.open(store_path) as store:
        assert store.integrity_ok()
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(m.Dossier)) == 0


# ---------------------------------------------------------------------- transactions


def test_write_is_all_or_nothing(store_path: Path) -> None:
    class Boom(Exception):
        pass

    with Store.open(store_path) as store:
        with store.write() as s:
            s.execute(text(DOSSIER_SQL), {"e": "2019"})
        with pytest.raises(Boom), store.write() as s:
            s.execute(text(DOSSIER_SQL), {"e": "2020"})  # plain SQL, issued first
            s.execute(text("UPDATE dossier SET revision = 7 WHERE edition = '2019'"))
            s.add(m.DossierEvent(dossier_id=1, at=FIXED_NOW, to_state="valide", revision=7, detail="x"))
            s.flush()  # ORM statements sent too
            raise Boom
    with raw(store_path) as conn:
        assert conn.execute("SELECT edition, revision FROM dossier").fetchall() == [("2019", 1)]
        assert conn.execute("SELECT count(*) FROM dossier_event").fetchone() == (0,)


def test_write_failing_on_a_constraint_rolls_back_earlier_statements(store_path: Path) -> None:
    with Store.open(store_path) as store, pytest.raises(StoreError), store.write() as s:
        s.execute(text(DOSSIER_SQL), {"e": "2020"})
        s.execute(text(DOSSIER_SQL), {"e": "2020"})  # UNIQUE (edition)
    assert editions(store_path) == []


def test_read_transaction_sees_a_stable_snapshot(store_path: Path) -> None:
    """Two selects of one read session agree although another program commits in between.

    pysqlite left to itself would run these selects outside any transaction (it only BEGINs before
    DML), and the second one would see the other program's row.
    """
    with Store.open(store_path) as store:
        with store.write() as s:
            s.execute(text(DOSSIER_SQL), {"e": "2019"})
        count = text("SELECT count(*) FROM dossier")
        with store.read() as s:
            first = s.scalar(count)
            with raw(store_path) as other:
                other.execute(DOSSIER_SQL.replace(":e", "'2020'"))
                other.commit()
            second = s.scalar(count)
            names = s.scalars(text("SELECT edition FROM dossier")).all()
        assert (first, second, names) == (1, 1, ["2019"])
        with store.read() as s:  # a new session sees the commit
            assert s.scalar(count) == 2


def test_second_writer_gets_store_locked(store_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes")
        with raw(store_path, isolation_level=None) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE collectivity SET name = 'Autre programme'")
            t0 = time.perf_counter()
            with pytest.raises(StoreLocked) as exc:
                ws.update_profile(name="Saint-Aubin")
            waited = time.perf_counter() - t0
            other.execute("ROLLBACK")
        msg = str(exc.value)
        assert "utilisé par un autre programme" in msg and str(store_path) in msg
        assert 0.15 <= waited < 2.0, waited  # it did wait for the busy timeout, and no longer
        assert ws.profile().name == "Saint-Aubin-des-Landes"  # nothing half-written
        assert ws.update_profile(name="Saint-Aubin").name == "Saint-Aubin"  # lock gone: works again
        assert ws.store.integrity_ok()


def test_reader_is_not_blocked_by_a_writer(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "200")
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes")
        with raw(store_path, isolation_level=None) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE collectivity SET name = 'pas encore validé'")
            assert ws.profile().name == "Saint-Aubin-des-Landes"  # WAL: readers see the last commit
            other.execute("ROLLBACK")


# ---------------------------------------------------------------------- attachments folder


def test_filestore_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "commune-fichiers")
    src = tmp_path / "compte-rendu.pdf"
    content = b"%PDF-1.4\n" + random.Random(1).randbytes(3 * 1024 * 1024 + 17)  # several chunks
    src.write_bytes(content)
    sha, size = files.put(src)
    assert sha == hashlib.sha256(content).hexdigest() == sha256_of(src)[0]
    assert size == len(content)
    stored = files.path_of(sha)
    assert stored == tmp_path / "commune-fichiers" / sha[:2] / sha
    assert stored.read_bytes() == content and files.has(sha)
    mtime = stored.stat().st_mtime_ns
    # Same content under another name: same address, stored once, untouched.
    copy = tmp_path / "copie.pdf"
    copy.write_bytes(content)
    assert files.put(copy) == (sha, size)
    assert files.put(src) == (sha, size)
    assert stored.stat().st_mtime_ns == mtime
    other = tmp_path / "photo.jpg"
    other.write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    sha2, _ = files.put(other)
    assert sha2 != sha
    everything = sorted(p.relative_to(files.root).as_posix() for p in files.root.rglob("*") if p.is_file())
    assert everything == sorted([f"{sha[:2]}/{sha}", f"{sha2[:2]}/{sha2}"])  # no temporary file left
    out = tmp_path / "export.pdf"
    files.export(sha, out)
    assert out.read_bytes() == content


def test_filestore_failed_put_leaves_no_temporary_file(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "fichiers")
    with pytest.raises(OSError):
        files.put(tmp_path / "absent.pdf")
    assert [p for p in files.root.rglob("*")] == []
    assert not files.has("0" * 64)


def test_store_attachments_live_beside_the_file(store_path: Path) -> None:
    with Store.open(store_path) as store:
        assert store.files.root == store_path.with_name("commune-fichiers")


# ---------------------------------------------------------------------- integrity


def test_integrity_ok_detects_a_broken_foreign_key(store_path: Path) -> None:
    with Store.open(store_path) as store:
        assert store.integrity_ok()
        with raw(store_path) as conn:  # another tool, foreign keys off (SQLite's default)
            conn.execute(
                "INSERT INTO dossier_event (dossier_id, at, to_state, revision, detail) "
                "VALUES (99, '2026-11-23', 'brouillon', 1, '')"
            )
            conn.commit()
        assert not store.integrity_ok()


def test_integrity_ok_answers_false_for_a_file_damaged_while_open(store_path: Path) -> None:
    with Workspace.open(store_path, clock=fixed_clock) as ws:
        ws.update_profile(name="Saint-Aubin-des-Landes")
        ws.store.engine.dispose()  # no connection keeps pages in memory
        with raw(store_path) as conn:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'collectivity'").fetchone()[0]
        damaged = bytearray(store_path.read_bytes())
        damaged[(root - 1) * page_size] = 0xFF
        store_path.write_bytes(bytes(damaged))
        assert ws.store.integrity_ok() is False


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    """A browser history or any other SQLite file must not get Arobase's tables added to it."""
    import sqlite3

    from localdb.store import Store, StoreUnreadable

    path = tmp_path / "places.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreUnreadable, match="autre programme"):
        Store.open(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "sauvegardes").exists()
