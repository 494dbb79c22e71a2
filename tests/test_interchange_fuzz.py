"""Fuzzing the interchange import: altered documents and damaged files are refused with a French sentence
(an ``ArobaseError``), never another exception, and a refused import leaves the store exactly as it was.
A damaged file goes the whole way a file goes: ``read_document`` (which returns any JSON value: ``0`` is
valid JSON) then ``from_document``, which refuses what is not a dossier.

The fast cut runs a few dozen examples in ``make test``; the slow one (``make stress``) a thousand of each.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.edition import EditionCatalog
from app.errors import ArobaseError
from app.interchange import from_document, read_document, to_document
from app.workspace import Workspace
from tests.conftest import Trials
from tests.factories import complete_dossier, dump_store, epci_answers, fixed_clock

EDITION = EditionCatalog().get("2019")
BASE = to_document(complete_dossier(EDITION, 3, epci_answers=epci_answers(EDITION)))
KIND = "import d'un dossier altéré (hypothesis)"
FILE_KIND = "lecture d'un fichier d'échange abîmé (hypothesis)"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)

SAME_TYPE: dict[type, st.SearchStrategy[Any]] = {
    str: st.text(max_size=60),
    int: st.integers(-(2**70), 2**70),
    bool: st.booleans(),
}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document a value sits at."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


@st.composite
def altered_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The example dossier with one to four values retyped, replaced, removed or added anywhere in it."""
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_paths(doc))))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        how = draw(st.sampled_from(("same-type", "same-type", "replace", "remove", "add")))
        if how == "same-type":  # a value of the same JSON type: most get past the schema, into the store
            old = parent[path[-1]]
            parent[path[-1]] = draw(SAME_TYPE.get(type(old), json_values))
        elif how == "replace":
            parent[path[-1]] = draw(json_values)
        elif how == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(json_values)
        else:
            parent.insert(draw(st.integers(0, len(parent))), draw(json_values))
    return doc


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    path = tmp_path_factory.mktemp("fuzz") / "commune.sqlite"
    with Workspace.open(path, clock=fixed_clock) as ws:
        ws.import_document(copy.deepcopy(BASE))
        yield ws, path


def _import_altered(store: tuple[Workspace, Path], doc: dict[str, Any], trials: Trials) -> None:
    ws, path = store
    with trials.one(KIND):
        try:
            from_document(copy.deepcopy(doc), EDITION)
        except ArobaseError as err:
            assert err.message.strip(), "a refusal without a sentence"
        before = dump_store(path)
        try:
            ws.import_document(copy.deepcopy(doc))
        except ArobaseError as err:
            assert err.message.strip() and "Traceback" not in err.message
            assert dump_store(path) == before, "a refused import changed the store"
        else:  # accepted: what the store now holds exports and imports again, unchanged
            exported = ws.export_document(doc["edition"])
            assert ws.store.integrity_ok()
            ws.import_document(copy.deepcopy(exported))
            assert ws.export_document(doc["edition"])["actions"] == exported["actions"]


def _read_damaged(tmp: Path, data: bytes, trials: Trials) -> None:
    path = tmp / "dossier.json"
    path.write_bytes(data)
    with trials.one(FILE_KIND):
        try:  # the file's whole way in: read (any JSON value), then checked as a dossier
            from_document(read_document(path), EDITION)
        except ArobaseError as err:
            assert err.message.strip()


VALID_FILE = json.dumps(BASE, ensure_ascii=False, indent=2).encode("utf-8")


@st.composite
def damaged_files(draw: st.DrawFn) -> bytes:
    """The example dossier's file truncated, with bytes flipped or inserted, or any bytes at all."""
    data = bytearray(VALID_FILE)
    how = draw(st.sampled_from(("truncate", "flip", "insert", "random")))
    if how == "random":
        return draw(st.binary(max_size=400))
    if how == "truncate":
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        if how == "flip":
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=6))
    return bytes(data)


def _settings(n: int):  # type: ignore[no-untyped-def]
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])  # fmt: skip


@_settings(40)
@given(doc=altered_documents())
def test_altered_documents_are_refused_in_french(fuzz_store: tuple[Workspace, Path], doc: dict[str, Any],
                                                  trials: Trials) -> None:  # fmt: skip
    _import_altered(fuzz_store, doc, trials)


@_settings(40)
@given(data=damaged_files())
def test_damaged_files_are_refused_in_french(tmp_path: Path, data: bytes, trials: Trials) -> None:
    _read_damaged(tmp_path, data, trials)


@pytest.mark.slow
@_settings(1000)
@given(doc=altered_documents())
def test_a_thousand_altered_documents(fuzz_store: tuple[Workspace, Path], doc: dict[str, Any],
                                      trials: Trials) -> None:  # fmt: skip
    _import_altered(fuzz_store, doc, trials)


@pytest.mark.slow
@_settings(1000)
@given(data=damaged_files())
def test_a_thousand_damaged_files(tmp_path: Path, data: bytes, trials: Trials) -> None:
    _read_damaged(tmp_path, data, trials)
