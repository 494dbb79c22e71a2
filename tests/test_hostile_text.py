"""Hostile text in every text field: stored and returned intact; control characters refused, nothing stored."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.edition import Edition, EditionCatalog
from app.errors import InvalidInput
from app.interchange import read_document, to_document, write_document
from app.model import ACTION_TEXT_FIELDS, PROFILE_LABELS, Address, AttachmentRef, DossierData, EpciAnswerData
from app.workspace import Workspace
from tests.conftest import run_cli
from tests.factories import action, commune_profile, complete_dossier, dump_store, fixed_clock

ED = "2019"
PIECES = [
    "< > & \" '",
    "<b>gras</b>",
    "]]>",
    "<para>",
    "&amp;",
    "👩‍👩‍👧‍👦",
    "👍🏽",
    "مرحبا بالعالم",
    "שלום",
    "e\u0301te\u0301 n\u0303 Z\u0351\u0336\u035c",  # combining characters, not normalised
    "1\u00a0000\u202f€",  # NBSP and narrow NBSP
    "\\n %s {0} $(rm) `x` ; DROP TABLE action; --",
]
LINE = " | ".join(PIECES)  # single-line fields (well under 500 characters)
MULTI = "\t" + "\r\n".join(PIECES) + "\rfin\n\n\tavec tabulation\r"  # tab, CR, LF, CRLF
FILE_SAFE = " ".join(p for p in PIECES if "/" not in p)  # what a file name can hold
LONG_SYNTHESIS = ("Une phrase ordinaire avec des accents é à ü. " * 2500)[:100_000]
LONG_WORD = ("anticonstitutionnellement😀" * 4000)[:100_000]

PROFILE_TEXT_FIELDS = [k for k in PROFILE_LABELS if k not in ("kind", "population")]
SINGLE_LINE_ACTION_FIELDS = [k for k, (_, multi) in ACTION_TEXT_FIELDS.items() if not multi]
MULTI_LINE_ACTION_FIELDS = [k for k, (_, multi) in ACTION_TEXT_FIELDS.items() if multi]


def test_pieces_are_what_they_claim() -> None:
    assert len(LONG_SYNTHESIS) == len(LONG_WORD) == 100_000 and " " not in LONG_WORD
    assert "\u200d" in LINE and "\U0001f3fd" in LINE and "\u0301" in LINE and "\u00a0" in LINE and "\u202f" in LINE
    assert len(LINE) < 500 and "\n" not in LINE and "\r" not in LINE
    assert all(c in MULTI for c in "\t\r\n")


def fill_with_hostile_text(ws: Workspace, tmp_path: Path) -> DossierData:
    """Put hostile text in every text field through the use cases; return what must come back."""
    profile = ws.update_profile(**dict.fromkeys(PROFILE_TEXT_FIELDS, LINE), kind="epci", population=12)
    a = ws.create_action(
        ED,
        **dict.fromkeys(SINGLE_LINE_ACTION_FIELDS, LINE),
        **dict.fromkeys(MULTI_LINE_ACTION_FIELDS, MULTI),
        level="en-cours",
        start_date=date(2025, 1, 1),
        services=("identite-01", "culture-02"),
        addresses=(Address(LINE, LINE, LINE, LINE), Address(FILE_SAFE, "", "", "")),
    )
    b = ws.create_action(ED, title=FILE_SAFE, synthesis=LONG_SYNTHESIS, results=LONG_WORD, tools=MULTI)
    source = tmp_path / "pièces" / f"{FILE_SAFE}.pdf"
    source.parent.mkdir()
    source.write_bytes(b"%PDF hostile")
    ref = ws.add_attachment(ED, a.uuid, source)
    assert ref.name == f"{FILE_SAFE}.pdf"
    ws.set_epci_answer(ED, "epci-02", True, MULTI)
    ws.set_epci_answer(ED, "epci-01", False, LONG_WORD)
    return DossierData(
        edition=ED,
        profile=profile,
        actions=(a.updated(attachments=(ref,)), b),
        epci_answers=(EpciAnswerData("epci-01", False, LONG_WORD), EpciAnswerData("epci-02", True, MULTI)),
    )


def test_hostile_text_stored_intact_after_reopening(
    ws: Workspace, tmp_path: Path, store_path: Path, catalog: EditionCatalog
) -> None:
    expected = fill_with_hostile_text(ws, tmp_path)
    assert ws.load(ED) == expected
    ws.close()
    with Workspace.open(store_path, catalog, clock=fixed_clock) as again:
        got = again.load(ED)
        assert got == expected
        assert got.actions[1].synthesis == LONG_SYNTHESIS and got.actions[1].results == LONG_WORD
        assert got.profile.name.encode("utf-8") == LINE.encode("utf-8")  # byte for byte, not normalised


def test_hostile_text_through_a_json_file_and_the_cli(
    ws: Workspace, tmp_path: Path, store_path: Path, catalog: EditionCatalog
) -> None:
    expected = fill_with_hostile_text(ws, tmp_path)
    exported = ws.export_document(ED)
    ws.close()
    path = tmp_path / "échange" / "dossier hostile.json"
    write_document(exported, path)
    assert read_document(path) == exported

    other = tmp_path / "autre poste" / "copie.sqlite"
    result = run_cli("import", str(path), "--db", str(other))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with Workspace.open(other, catalog, clock=fixed_clock) as ws2:
        assert ws2.load(ED) == expected

    out = tmp_path / "retour.json"
    result = run_cli("export", "--db", str(other), "--out", str(out))
    assert result.returncode == 0, result.stderr
    back = json.loads(out.read_text(encoding="utf-8"))
    strip = ("exported_at", "generator")
    assert {k: v for k, v in back.items() if k not in strip} == {k: v for k, v in exported.items() if k not in strip}

    # --out - writes the same text to the standard output
    result = run_cli("export", "--db", str(other), "--out", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["actions"] == exported["actions"]


def test_hostile_attachment_name_and_address_through_import(ws: Workspace, edition: Edition) -> None:
    ref = AttachmentRef("c" * 64, 12, "application/pdf", LINE)  # "/" allowed in a name coming from a file
    dossier = complete_dossier(
        edition,
        profile=commune_profile(name=LINE, referent_role=LINE),
        actions=(action(edition, 0, attachments=(ref,), addresses=(Address(LINE, LINE, LINE, LINE),), partners=MULTI),),
        epci_answers=(EpciAnswerData("epci-03", None, MULTI),),
    )
    ws.import_document(json.loads(json.dumps(to_document(dossier), ensure_ascii=False)))
    assert ws.load(ED) == dossier


# ---------------------------------------------------------------------- refusals

CONTROL = ["\x00", "\x07", "\x1b", "\ud800"]


@pytest.fixture
def started(ws: Workspace, edition: Edition, tmp_path: Path) -> tuple[Workspace, str]:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    return ws, ws.load(ED).actions[0].uuid


def _refused(ws: Workspace, store_path: Path, call: Any, label: str, field: str | None = None) -> None:
    files = store_path.with_name(store_path.stem + "-fichiers")
    before, before_files = dump_store(store_path), sorted(files.rglob("*")) if files.exists() else []
    with pytest.raises(InvalidInput) as err:
        call()
    assert f"« {label} »" in err.value.message
    if field is not None:
        assert err.value.field == field
    assert dump_store(store_path) == before
    assert (sorted(files.rglob("*")) if files.exists() else []) == before_files


@pytest.mark.parametrize("bad", [*CONTROL, "\n", "\r", "\u2028"])
@pytest.mark.parametrize("key", PROFILE_TEXT_FIELDS)
def test_profile_control_characters_refused(
    started: tuple[Workspace, str], store_path: Path, key: str, bad: str
) -> None:
    ws, _ = started
    _refused(
        ws,
        store_path,
        lambda: ws.update_profile(**{"name": "Correct", key: f"début{bad}fin"}),
        PROFILE_LABELS[key],
        f"profile.{key}",
    )


@pytest.mark.parametrize("bad", CONTROL)
@pytest.mark.parametrize("key", list(ACTION_TEXT_FIELDS))
def test_action_control_characters_refused(
    started: tuple[Workspace, str], store_path: Path, key: str, bad: str
) -> None:
    ws, uuid = started
    label = ACTION_TEXT_FIELDS[key][0]
    _refused(ws, store_path, lambda: ws.update_action(ED, uuid, **{"title": "Correct", key: f"a{bad}b"}), label, key)
    _refused(ws, store_path, lambda: ws.create_action(ED, **{key: f"{bad}"}), label, key)


@pytest.mark.parametrize("key", SINGLE_LINE_ACTION_FIELDS)
@pytest.mark.parametrize("bad", ["\n", "\r\n", "\r", "\u2029", "\x85"])
def test_line_break_refused_in_single_line_action_fields(
    started: tuple[Workspace, str], store_path: Path, key: str, bad: str
) -> None:
    ws, uuid = started
    _refused(
        ws,
        store_path,
        lambda: ws.update_action(ED, uuid, **{key: f"ligne 1{bad}ligne 2"}),
        ACTION_TEXT_FIELDS[key][0],
        key,
    )


@pytest.mark.parametrize("bad", [*CONTROL, "\n"])
@pytest.mark.parametrize("part", ["label", "street", "postal_code", "city"])
def test_address_control_characters_refused(
    started: tuple[Workspace, str], store_path: Path, part: str, bad: str
) -> None:
    ws, uuid = started
    labels = {"label": "Lieu", "street": "Adresse", "postal_code": "Code postal", "city": "Commune"}
    address = Address(**{"label": "Mairie", "street": "", "postal_code": "", "city": "", part: f"x{bad}y"})
    _refused(ws, store_path, lambda: ws.set_addresses(ED, uuid, [Address("Bonne"), address]), labels[part])


@pytest.mark.parametrize("bad", CONTROL)
def test_epci_details_control_characters_refused(started: tuple[Workspace, str], store_path: Path, bad: str) -> None:
    ws, _ = started
    _refused(ws, store_path, lambda: ws.set_epci_answer(ED, "epci-01", True, f"x{bad}"), "Précisions", "epci:epci-01")


@pytest.mark.parametrize("bad", ["\x07", "\x1b", "\n", "\r"])
def test_attachment_name_control_characters_refused(
    started: tuple[Workspace, str], store_path: Path, tmp_path: Path, bad: str
) -> None:
    ws, uuid = started
    source = tmp_path / f"photo{bad}.jpg"
    source.write_bytes(b"\xff\xd8")
    _refused(ws, store_path, lambda: ws.add_attachment(ED, uuid, source), "Nom du fichier")


def test_refusal_message_is_french_and_locates_the_character(started: tuple[Workspace, str]) -> None:
    ws, uuid = started
    with pytest.raises(InvalidInput) as err:
        ws.update_action(ED, uuid, synthesis="abc\x1bdef")
    assert err.value.message == (
        "« Synthèse » contient un caractère de contrôle invisible (U+001B, position 4) qui ne peut pas être "
        "enregistré. Retapez ce passage au lieu de le coller."
    )
    with pytest.raises(InvalidInput) as err:
        ws.update_action(ED, uuid, title="a\nb")
    assert err.value.message == "« Titre de l'action » doit tenir sur une seule ligne."


def test_too_long_text_refused(started: tuple[Workspace, str], store_path: Path) -> None:
    ws, uuid = started
    _refused(ws, store_path, lambda: ws.update_action(ED, uuid, synthesis="a" * 200_001), "Synthèse", "synthesis")
    _refused(ws, store_path, lambda: ws.update_profile(name="n" * 501), "Nom de la collectivité", "profile.name")
    ws.update_action(ED, uuid, synthesis="a" * 200_000)  # the limit itself is accepted
