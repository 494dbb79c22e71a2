"""The start-up read (``localdb.reader`` + ``app.first_read``): the same dossier as the store gives, and
None (the normal path) for every file it must not take."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.edition import Edition, EditionCatalog
from app.edits import ProfileEdit
from app.first_read import DeferredWorkspace, ReadAhead, first_workspace
from app.interchange import to_document
from app.model import Address, AttachmentRef, EpciAnswerData
from app.workspace import Workspace
from localdb import revisions
from localdb.reader import read_newest_dossier
from tests.factories import complete_dossier, damage_middle_pages, fixed_clock

STORES = Path(__file__).with_name("fixtures") / "stores"
SAVED = sorted(STORES.glob("store-*.sqlite"))


def _rich_store(path: Path, catalog: EditionCatalog, edition: Edition, n: int = 40) -> None:
    """Every kind of row: several services and addresses, attachments, dates, EPCI answers True/False/None."""
    base = complete_dossier(edition, n)
    services = [s.id for s in edition.services]
    actions = tuple(
        a.updated(
            services=tuple(reversed(services[i % 7 : i % 7 + 3])),  # stored out of the edition's order
            addresses=(Address("Mairie", "1 place", "35500", "Vitré"), Address("École", "", "", ""))[: i % 3],
            attachments=(AttachmentRef(f"{i:064x}", 10 + i, "image/png", f"photo {i}.png"),) if i % 4 == 0 else (),
            end_date=date(2026, 6, 30) if i % 2 else None,
            level=None if i % 5 == 0 else a.level,
            delivered_by=None if i % 6 == 0 else a.delivered_by,
        )
        for i, a in enumerate(base.actions)
    )
    answers = tuple(
        EpciAnswerData(c.id, (True, False, None)[i % 3], f"Précisions «\u00a0{i}\u00a0»")
        for i, c in enumerate(edition.epci_criteria)
    )
    dossier = replace(base, actions=actions, epci_answers=answers, profile=base.profile.updated(population=None))
    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(dossier))


def _both_ways(path: Path, catalog: EditionCatalog) -> tuple[object, object]:
    quick = first_workspace(path, catalog)
    assert quick is not None
    first = quick.open_dossier(quick.default_edition())
    assert not quick.is_open  # read without the store
    with Workspace.open(path, catalog, clock=fixed_clock) as ws:
        assert ws.default_edition() == first.edition
        return first, ws.open_dossier(first.edition)


def test_the_quick_read_gives_what_the_store_gives(tmp_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    path = tmp_path / "commune.sqlite"
    _rich_store(path, catalog, edition)
    quick, slow = _both_ways(path, catalog)
    assert quick == slow
    assert len(slow.actions) == 40 and any(a.attachments for a in slow.actions)  # type: ignore[attr-defined]


def test_the_quick_read_keeps_the_dossier_order_not_the_file_order(
    tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    """Rows come back from SQLite's JSON in no promised order: the positions decide, as the store reads them."""
    path = tmp_path / "commune.sqlite"
    _rich_store(path, catalog, edition)
    with closing(sqlite3.connect(path)) as conn, conn:  # reversed against the order the rows were written in
        conn.execute("UPDATE action SET position = 1000 - position")
        conn.execute("UPDATE action_address SET position = 10 - position")
    quick, slow = _both_ways(path, catalog)
    assert quick == slow
    before = complete_dossier(edition, 40).actions
    assert [a.uuid for a in slow.actions] == [a.uuid for a in reversed(before)]  # type: ignore[attr-defined]
    assert any(len(a.addresses) == 2 and a.addresses[0].label == "École" for a in slow.actions)  # type: ignore[attr-defined]


@pytest.mark.parametrize("saved", SAVED, ids=[p.stem for p in SAVED])
def test_saved_stores_read_the_same_both_ways(saved: Path, tmp_path: Path, catalog: EditionCatalog) -> None:
    """A store of an older release is left to the normal path (it migrates, with its backup), then read quickly."""
    path = tmp_path / saved.name
    shutil.copy2(saved, path)
    with closing(sqlite3.connect(path)) as conn:
        stamped = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    if stamped != revisions.HEAD:
        assert read_newest_dossier(path) is None
        assert first_workspace(path, catalog) is None
        Workspace.open(path, catalog, clock=fixed_clock).close()  # migrated, as the normal path does
    quick, slow = _both_ways(path, catalog)
    assert quick == slow


def test_files_the_quick_read_leaves_to_the_store(tmp_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    missing = tmp_path / "nouveau.sqlite"
    assert first_workspace(missing, catalog) is None and not missing.exists()  # nothing created
    empty = tmp_path / "vide.sqlite"
    empty.write_bytes(b"")
    assert first_workspace(empty, catalog) is None
    text = tmp_path / "texte.sqlite"
    text.write_text("pas une base", encoding="utf-8")
    assert first_workspace(text, catalog) is None
    other = tmp_path / "autre.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert first_workspace(other, catalog) is None
    fresh = tmp_path / "sans-dossier.sqlite"
    Workspace.open(fresh, catalog).close()  # at head, but no dossier yet: the store creates it
    assert first_workspace(fresh, catalog) is None


def test_a_damaged_file_is_left_to_the_store(tmp_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    path = tmp_path / "commune.sqlite"
    _rich_store(path, catalog, edition, n=300)
    damaged = damage_middle_pages(path)
    assert first_workspace(path, catalog) is None
    assert path.read_bytes() == damaged  # never written


def test_a_locked_file_is_left_to_the_store(tmp_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    path = tmp_path / "commune.sqlite"
    _rich_store(path, catalog, edition, n=3)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE collectivity SET name = name")
        assert first_workspace(path, catalog) is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert first_workspace(path, catalog) is not None


def test_the_store_opens_on_first_use_and_writes(tmp_path: Path, catalog: EditionCatalog, edition: Edition) -> None:
    path = tmp_path / "commune.sqlite"
    _rich_store(path, catalog, edition, n=3)
    ws = first_workspace(path, catalog)
    assert isinstance(ws, DeferredWorkspace)
    first = ws.open_dossier(ws.default_edition())
    assert not ws.is_open and ws.has_file("0" * 64) is False
    report = ws.apply_edits(first.edition, [ProfileEdit({"name": "Vitré"})])  # opens the store, then writes
    assert ws.is_open and not report.failed
    assert ws.open_dossier(first.edition).profile.name == "Vitré"  # the store's now, not the first read
    ws.close()
    with Workspace.open(path, catalog) as again:
        assert again.profile().name == "Vitré"


def test_the_read_ahead_is_used_for_its_own_file_only(
    tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    """``ui.launcher`` starts the read on a thread before importing the window; another file is read anew."""
    mine, other = tmp_path / "commune.sqlite", tmp_path / "autre.sqlite"
    _rich_store(mine, catalog, edition, n=5)
    _rich_store(other, catalog, edition, n=2)
    ahead = ReadAhead(mine)
    assert ahead.result() == read_newest_dossier(mine)
    ws = first_workspace(mine, catalog, ahead)
    assert ws is not None and len(ws.open_dossier(edition.id).actions) == 5
    elsewhere = first_workspace(other, catalog, ahead)
    assert elsewhere is not None and len(elsewhere.open_dossier(edition.id).actions) == 2
