"""The dossier interchange format: lossless round trips (property-based) and French refusals."""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.edition import Edition, EditionCatalog, EditionError
from app.errors import ArobaseError, InvalidInput
from app.interchange import InterchangeError, from_document, read_document, to_document, write_document
from app.model import (
    DELIVERERS,
    KINDS,
    STATES,
    ActionData,
    Address,
    AttachmentRef,
    DossierData,
    EpciAnswerData,
    Profile,
)
from app.workspace import Workspace
from localdb.store import StoreError
from tests.conftest import copy_empty_store
from tests.factories import action, commune_profile, complete_dossier, dump_store, epci_answers, fixed_clock

EDITION = EditionCatalog().get("2019")
SERVICE_ORDER = {s.id: n for n, s in enumerate(EDITION.services)}
COPY_KEYS = ("exported_at", "generator", "state", "revision")

# ---------------------------------------------------------------------- strategies

_C0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
_NONCHARS = "\ufffe\uffff"  # refused by app.text like the controls
_BREAKS = "\r\n\u2028\u2029\x85"


def text(*, multiline: bool, max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    excluded = _C0 + _NONCHARS + ("" if multiline else _BREAKS)
    alphabet = st.characters(exclude_categories=("Cs",), exclude_characters=excluded)
    return st.text(alphabet, min_size=min_size, max_size=max_size)


line = text(multiline=False, max_size=30)
long = text(multiline=True, max_size=120)

profiles = st.builds(
    Profile,
    name=line,
    kind=st.sampled_from(KINDS),
    code=line,
    departement=line,
    population=st.none() | st.integers(0, 100_000_000),
    street=line,
    postal_code=line,
    city=line,
    referent_name=line,
    referent_role=line,
    referent_email=line,
    referent_phone=line,
)

addresses = st.builds(Address, label=line, street=line, postal_code=line, city=line)
attachments = st.builds(
    AttachmentRef,
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
    size=st.integers(0, 2**53 - 1),
    media_type=st.sampled_from(
        ["application/pdf", "image/jpeg", "text/plain", "application/vnd.oasis.opendocument.text"]
    ),
    name=text(multiline=False, max_size=30, min_size=1),
)


@st.composite
def date_pairs(draw: st.DrawFn) -> tuple[date | None, date | None]:
    start = draw(st.none() | st.dates())
    if start is None:
        return None, draw(st.none() | st.dates())
    end = draw(st.none() | st.integers(0, (date.max - start).days).map(lambda n: start + timedelta(days=n)))
    return start, end


@st.composite
def actions(draw: st.DrawFn) -> ActionData:
    start, end = draw(date_pairs())
    services = draw(st.lists(st.sampled_from(list(SERVICE_ORDER)), unique=True, max_size=6))
    return ActionData(
        uuid=str(draw(st.uuids())),
        title=draw(line),
        synthesis=draw(long),
        level=draw(st.none() | st.sampled_from([lv.id for lv in EDITION.levels])),
        results=draw(long),
        tools=draw(long),
        partners=draw(long),
        delivered_by=draw(st.none() | st.sampled_from(DELIVERERS)),
        start_date=start,
        end_date=end,
        web_link=draw(line),
        services=tuple(sorted(services, key=SERVICE_ORDER.__getitem__)),
        addresses=tuple(draw(st.lists(addresses, max_size=3))),
        attachments=tuple(draw(st.lists(attachments, max_size=3))),
    )


@st.composite
def answers(draw: st.DrawFn) -> tuple[EpciAnswerData, ...]:
    ids = draw(st.lists(st.sampled_from([c.id for c in EDITION.epci_criteria]), unique=True, max_size=5))
    out = [EpciAnswerData(c, draw(st.none() | st.booleans()), draw(long)) for c in sorted(ids)]
    return tuple(out)


dossiers = st.builds(
    DossierData,
    edition=st.just("2019"),
    state=st.sampled_from(STATES),
    revision=st.integers(1, 10_000),
    profile=profiles,
    actions=st.lists(actions(), max_size=4, unique_by=lambda a: a.uuid).map(tuple),
    epci_answers=answers(),
)

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def without_copy_keys(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in COPY_KEYS}


# ---------------------------------------------------------------------- round trips


@PROPERTY
@given(dossiers)
def test_document_round_trip(dossier: DossierData) -> None:
    doc = to_document(dossier)
    assert from_document(doc, EDITION) == dossier
    # (c) through JSON text, as written to a file
    text_doc = json.loads(json.dumps(doc, ensure_ascii=False))
    assert text_doc == doc
    assert from_document(text_doc, EDITION) == dossier
    assert from_document(json.loads(json.dumps(doc)), EDITION) == dossier  # ASCII-escaped as well


@PROPERTY
@given(dossiers)
def test_import_then_export_gives_the_same_document(
    tmp_path_factory: pytest.TempPathFactory, empty_store: Path, dossier: DossierData
) -> None:
    folder = tmp_path_factory.mktemp("aller-retour")
    doc = to_document(dossier)
    path = folder / "dossier.json"
    write_document(doc, path)
    with Workspace.open(copy_empty_store(empty_store, folder / "store.sqlite"), clock=fixed_clock) as ws:
        report = ws.import_document(read_document(path))
        assert (report.actions, report.revision, report.new_revision) == (len(dossier.actions), 1, False)
        exported = ws.export_document("2019")
        loaded = ws.load("2019")
    assert without_copy_keys(exported) == without_copy_keys(doc)
    assert (exported["state"], exported["revision"]) == ("brouillon", 1)
    assert loaded == DossierData(
        **{**{f: getattr(dossier, f) for f in DossierData.__slots__}, "state": "brouillon", "revision": 1}
    )
    # and once more through the store reopened from disk
    with Workspace.open(folder / "store.sqlite", clock=fixed_clock) as ws:
        assert ws.load("2019") == loaded


def test_write_document_is_readable_utf8(tmp_path: Path, edition: Edition) -> None:
    dossier = complete_dossier(edition, profile=commune_profile(name="Ève-sur-Mer 👍🏽"))
    path = tmp_path / "sous-dossier" / "export.json"
    write_document(to_document(dossier), path)
    raw = path.read_bytes()
    assert "Ève-sur-Mer 👍🏽".encode() in raw and raw.endswith(b"\n")
    assert from_document(read_document(path), edition) == dossier
    assert [p.name for p in path.parent.iterdir()] == ["export.json"]  # no temporary file left


# ---------------------------------------------------------------------- refusals


def base_doc(edition: Edition) -> dict[str, Any]:
    return to_document(complete_dossier(edition, 2, epci_answers=epci_answers(edition)[:3]))


def _del(*keys: str | int) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]

    return change


def _set(value: Any, *keys: str | int) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value

    return change


def _dup_action(doc: dict[str, Any]) -> None:
    doc["actions"][1]["uuid"] = doc["actions"][0]["uuid"]


def _dup_answer(doc: dict[str, Any]) -> None:
    doc["epci_answers"][1]["criterion"] = doc["epci_answers"][0]["criterion"]


BAD_DOCUMENTS = [
    ("missing-collectivity", _del("collectivity"), ["« collectivity »", "manque"]),
    ("missing-title", _del("actions", 0, "title"), ["actions[0]", "« title »", "manque"]),
    ("missing-referent-email", _del("collectivity", "referent", "email"), ["collectivity.referent", "email"]),
    ("extra-top", _set("x", "signature"), ["signature", "inconnu"]),
    ("extra-action", _set("bleu", "actions", 1, "couleur"), ["actions[1]", "couleur"]),
    ("wrong-type-population", _set("mille", "collectivity", "population"), ["collectivity.population", "type"]),
    ("wrong-type-services", _set("identite-01", "actions", 0, "services"), ["actions[0].services", "type"]),
    ("wrong-type-actions", _set({}, "actions"), ["actions", "type"]),
    ("wrong-type-title", _set(12, "actions", 0, "title"), ["actions[0].title", "type"]),
    ("negative-population", _set(-5, "collectivity", "population"), ["collectivity.population", "au moins 0"]),
    ("bad-kind", _set("region", "collectivity", "kind"), ["collectivity.kind", "region"]),
    ("bad-uuid", _set("pas-un-uuid", "actions", 0, "uuid"), ["actions[0].uuid", "pas-un-uuid"]),
    (
        "bad-sha",
        _set([{"sha256": "xyz", "size": 1, "media_type": "a/b", "name": "n"}], "actions", 0, "attachments"),
        ["actions[0].attachments[0].sha256", "xyz"],
    ),
    ("unknown-service", _set(["identite-01", "identite-99"], "actions", 0, "services"), ["« identite-99 »", "inconnu"]),
    ("unknown-level", _set("termine", "actions", 1, "level"), ["« termine »", "niveau"]),
    ("unknown-criterion", _set("epci-99", "epci_answers", 0, "criterion"), ["« epci-99 »"]),
    ("duplicate-uuid", _dup_action, ["deux fois", "00000000-0000-0000-0000-000000000001"]),
    ("duplicate-criterion", _dup_answer, ["« epci-01 »", "deux fois"]),
    ("bad-date", _set("2019-02-30", "actions", 0, "start_date"), ["actions[0].start_date", "« 2019-02-30 »"]),
    ("bad-date-form", _set("30/01/2019", "actions", 0, "end_date"), ["actions[0].end_date", "30/01/2019"]),
    ("end-before-start", _set("2020-01-01", "actions", 0, "end_date"), ["se termine avant"]),
    ("control-char", _set("Atelier\x1b[31m", "actions", 0, "title"), ["actions[0].title", "U+001B"]),
    ("newline-in-name", _set("Vitré\nCedex", "collectivity", "name"), ["collectivity.name", "une seule ligne"]),
    ("surrogate", _set("a\ud800b", "epci_answers", 2, "details"), ["epci_answers[2].details", "U+D800"]),
    ("too-long-title", _set("a" * 501, "actions", 0, "title"), ["actions[0].title", "500"]),
    ("wrong-format", _set("autre.chose", "format"), ["format"]),
    ("wrong-version", _set(2, "version"), ["version 2", "version 1"]),
    ("huge-population", _set(10**20, "collectivity", "population"), ["collectivity.population", "au plus"]),
    (
        "huge-size",
        _set([{"sha256": "a" * 64, "size": 10**20, "media_type": "a/b", "name": "n"}], "actions", 0, "attachments"),
        ["actions[0].attachments[0].size", "au plus"],
    ),
]


@pytest.mark.parametrize(("change", "words"), [pytest.param(c, w, id=i) for i, c, w in BAD_DOCUMENTS])
def test_bad_documents_are_refused_in_french(
    ws: Workspace, edition: Edition, store_path: Path, change: Callable[[dict[str, Any]], None], words: list[str]
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    before = dump_store(store_path)
    doc = base_doc(edition)
    change(doc)
    with pytest.raises(InterchangeError) as err:
        from_document(copy.deepcopy(doc), edition)
    for word in words:
        assert word in err.value.message
    assert err.value.message.startswith(("Dossier invalide", "L'action", "Le champ", "Critère", "Le critère"))
    with pytest.raises(InterchangeError):
        ws.import_document(doc)
    assert dump_store(store_path) == before


@pytest.mark.parametrize("doc", [[], "dossier", 3, None, {"format": "arobase.dossier"}])
def test_not_a_dossier(ws: Workspace, doc: Any) -> None:
    with pytest.raises(InterchangeError, match="Dossier invalide"):
        ws.import_document(doc)
    with pytest.raises(InterchangeError, match="Dossier invalide"):
        from_document(doc, EDITION)


def test_unknown_edition(ws: Workspace, edition: Edition, store_path: Path) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    before = dump_store(store_path)
    doc = base_doc(edition)
    doc["edition"] = "2099"
    with pytest.raises(EditionError) as err:
        ws.import_document(doc)
    assert "« 2099 »" in err.value.message and "inconnue" in err.value.message and "2019" in err.value.message
    with pytest.raises(InterchangeError, match="2099"):
        from_document(doc, edition)
    doc["edition"] = "vingt"
    with pytest.raises(ArobaseError, match="vingt"):
        ws.import_document(doc)
    assert dump_store(store_path) == before


def test_import_replaces_the_whole_dossier(ws: Workspace, edition: Edition) -> None:
    first = complete_dossier(edition, 4, epci_answers=epci_answers(edition))
    ws.import_document(to_document(first))
    ws.open_dossier("2019")
    second = complete_dossier(
        edition,
        actions=(action(edition, 9, title="Seule action", services=("culture-03",)),),
        epci_answers=(EpciAnswerData("epci-14", False, ""),),
        profile=commune_profile(referent_name="Yann Morvan", population=None),
    )
    report = ws.import_document(to_document(second))
    assert (report.actions, report.replaced_actions, report.revision, report.new_revision) == (1, 4, 1, False)
    assert ws.load("2019") == second
    assert ws.profile() == second.profile


def test_import_is_one_transaction(ws: Workspace, edition: Edition, store_path: Path) -> None:
    """A failure while writing the second action leaves the first dossier exactly as it was."""
    ws.import_document(to_document(complete_dossier(edition, 3, epci_answers=epci_answers(edition))))
    conn = sqlite3.connect(store_path)
    conn.execute(
        "CREATE TRIGGER panne BEFORE INSERT ON action WHEN NEW.title = 'PANNE' "
        "BEGIN SELECT RAISE(ABORT, 'panne simulée'); END"
    )
    conn.commit()
    conn.close()
    before = dump_store(store_path)
    loaded = ws.load("2019")
    doc = to_document(
        complete_dossier(
            edition,
            actions=(action(edition, 7), action(edition, 8, title="PANNE")),
            profile=commune_profile(name="Autre nom"),
        )
    )
    with pytest.raises(StoreError):
        ws.import_document(doc)
    assert dump_store(store_path) == before
    assert ws.load("2019") == loaded


def test_import_of_another_collectivity_is_refused(ws: Workspace, edition: Edition, store_path: Path) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    before = dump_store(store_path)
    other = complete_dossier(edition, 1, profile=commune_profile(name="Vitré", code="35360"))
    with pytest.raises(InvalidInput) as err:
        ws.import_document(to_document(other))
    message = err.value.message
    assert "« Vitré » (code 35360)" in message and "« Saint-Aubin-des-Landes » (code 35248)" in message
    assert "--db" in message
    assert dump_store(store_path) == before
    # The same code (with stray spaces) is the same collectivity.
    same = complete_dossier(edition, 1, profile=commune_profile(code=" 35248 "))
    assert ws.import_document(to_document(same)).actions == 1


@pytest.mark.parametrize(
    ("kind", "stored", "imported"),
    [("epci", "200 046 977", "200046977"), ("commune", "2a004", "2A004"), ("commune", "35248", "35\u00a0248")],
)
def test_same_code_written_differently_is_the_same_collectivity(
    ws: Workspace, edition: Edition, kind: str, stored: str, imported: str
) -> None:
    """Spaces (even non-breaking ones, pasted from a web page) and letter case do not make another collectivity."""
    ws.update_profile(kind=kind, code=stored, name="Ancienne saisie")
    other = complete_dossier(edition, 1, profile=commune_profile(kind=kind, code=imported))
    assert ws.import_document(to_document(other)).actions == 1
    assert ws.profile().code == imported


def test_huge_numbers_in_the_profile_are_refused(ws: Workspace, store_path: Path) -> None:
    ws.update_profile(population=1000)
    before = dump_store(store_path)
    with pytest.raises(InvalidInput, match="population doit être un nombre entier positif \\(au plus 100"):
        ws.update_profile(population=10**20)
    with pytest.raises(InvalidInput, match="population"):
        ws.update_profile(population=100_000_001)
    assert dump_store(store_path) == before


def test_read_document_accepts_a_utf8_bom(tmp_path: Path, edition: Edition) -> None:
    """Windows editors may save UTF-8 with a byte order mark: still the same dossier."""
    doc = to_document(complete_dossier(edition, 1, profile=commune_profile(name="Évry")))
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert read_document(path) == doc


def test_read_document_errors(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match="n'existe pas"):
        read_document(tmp_path / "absent.json")
    with pytest.raises(InterchangeError, match="est un dossier"):
        read_document(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "arobase.dossier",\n "version": }', encoding="utf-8")
    with pytest.raises(InterchangeError, match=r"pas du JSON valide \(ligne 2, colonne 13\)"):
        read_document(bad)
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Vitré"}'.encode("latin-1"))
    with pytest.raises(InterchangeError, match="UTF-8"):
        read_document(latin)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InterchangeError, match="imbriqué"):
        read_document(deep)
