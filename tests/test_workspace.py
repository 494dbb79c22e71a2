"""Use cases of app.workspace on a real store file: every change is persisted and read back after reopening."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.edition import Edition, EditionCatalog, EditionError
from app.errors import InvalidInput
from app.interchange import to_document
from app.model import ActionData, Address, EpciAnswerData, Profile
from app.workspace import MAX_ATTACHMENT_BYTES, UnknownAction, Workspace
from tests.factories import commune_profile, complete_dossier, dump_store, fixed_clock

ED = "2019"


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def reopen(ws: Workspace, catalog: EditionCatalog) -> Workspace:
    path = ws.store.path
    ws.close()
    return Workspace.open(path, catalog, clock=fixed_clock)


@pytest.fixture
def files_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.stem + "-fichiers")


# ---------------------------------------------------------------------- profile


def test_profile_edit_is_read_back_after_reopening(ws: Workspace, catalog: EditionCatalog) -> None:
    assert ws.profile() == Profile()
    wanted = commune_profile(population=0)
    changes = {k: getattr(wanted, k) for k in Profile.__slots__}
    returned = ws.update_profile(**changes)
    assert returned == wanted
    ws.update_profile(referent_phone="+33 2 99 49 00 01", population=None)
    ws = reopen(ws, catalog)
    try:
        assert ws.profile() == wanted.updated(referent_phone="+33 2 99 49 00 01", population=None)
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"twitter": "@mairie"}, ["inconnu", "twitter"]),
        ({"population": -1}, ["population", "entier positif"]),
        ({"population": True}, ["population"]),
        ({"population": "1000"}, ["population"]),
        ({"kind": "region"}, ["Type de collectivité", "region"]),
        ({"name": "Ville", "city": "Rennes\nCedex"}, ["Commune (adresse)", "une seule ligne"]),
    ],
)
def test_profile_bad_values_are_refused_and_nothing_is_stored(
    ws: Workspace, store_path: Path, changes: dict[str, Any], words: list[str]
) -> None:
    ws.update_profile(name="Saint-Aubin-des-Landes")
    before = dump_store(store_path)
    with pytest.raises(InvalidInput) as err:
        ws.update_profile(**changes)
    for word in words:
        assert word in err.value.message
    assert dump_store(store_path) == before
    assert ws.profile().name == "Saint-Aubin-des-Landes"


# ---------------------------------------------------------------------- actions


def test_create_update_delete_action_persisted(ws: Workspace, catalog: EditionCatalog) -> None:
    a = ws.create_action(
        ED,
        title="Site internet de la commune",
        synthesis="Refonte du site.",
        level="en-cours",
        delivered_by="delegataire",
        start_date=date(2025, 1, 6),
        web_link="https://example.fr",
    )
    b = ws.create_action(ED, title="Wifi public")
    assert len(a.uuid) == 36 and a.uuid != b.uuid
    assert a.title == "Site internet de la commune" and a.level == "en-cours" and a.delivered_by == "delegataire"
    assert a.start_date == date(2025, 1, 6) and a.end_date is None and a.services == ()

    updated = ws.update_action(ED, a.uuid, title="Nouveau site", end_date=date(2025, 12, 31), level="realise")
    assert updated == a.updated(title="Nouveau site", end_date=date(2025, 12, 31), level="realise")
    ws.update_action(ED, b.uuid, level=None, delivered_by=None)

    ws = reopen(ws, catalog)
    try:
        data = ws.load(ED)
        assert [x.uuid for x in data.actions] == [a.uuid, b.uuid]
        assert data.action(a.uuid) == updated
        assert data.state == "brouillon" and data.revision == 1

        removed, position = ws.delete_action(ED, a.uuid)
        assert removed == updated and position == 0
        assert [x.uuid for x in ws.load(ED).actions] == [b.uuid]
    finally:
        ws.close()
    ws = Workspace.open(ws.store.path, catalog, clock=fixed_clock)
    try:
        assert [x.uuid for x in ws.load(ED).actions] == [b.uuid]
        with pytest.raises(UnknownAction, match="n'existe pas"):
            ws.update_action(ED, a.uuid, title="x")
        with pytest.raises(UnknownAction):
            ws.delete_action(ED, a.uuid)
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("fields", "exc", "words"),
    [
        ({"level": "termine"}, EditionError, ["termine", "niveau"]),
        ({"delivered_by": "mairie"}, InvalidInput, ["mairie", "Qui réalise"]),
        ({"start_date": "2025-01-01"}, InvalidInput, ["Date de début", "date"]),
        ({"services": ["identite-01", "identite-99"]}, EditionError, ["identite-99"]),
        ({"couleur": "bleu"}, InvalidInput, ["couleur"]),
        ({"title": "a" * 501}, InvalidInput, ["Titre de l'action", "trop long"]),
    ],
)
def test_bad_action_fields_are_refused_and_nothing_is_stored(
    ws: Workspace, store_path: Path, fields: dict[str, Any], exc: type[Exception], words: list[str]
) -> None:
    a = ws.create_action(ED, title="Existante")
    before = dump_store(store_path)
    with pytest.raises(exc) as err:
        ws.create_action(ED, **fields)
    with pytest.raises(exc):
        ws.update_action(ED, a.uuid, **fields)
    for word in words:
        assert word in str(err.value)
    assert dump_store(store_path) == before


def test_link_services_in_edition_order_and_unknown_service_named(
    ws: Workspace, edition: Edition, store_path: Path, catalog: EditionCatalog
) -> None:
    a = ws.create_action(ED, title="Ateliers")
    linked = ws.set_services(ED, a.uuid, ["culture-02", "identite-03", "identite-01", "culture-02"])
    assert linked.services == ("identite-01", "identite-03", "culture-02")
    before = dump_store(store_path)
    with pytest.raises(EditionError) as err:
        ws.set_services(ED, a.uuid, ["identite-01", "service-fantome"])
    assert "« service-fantome »" in err.value.message
    assert "n'existe pas" in err.value.message
    assert dump_store(store_path) == before
    assert ws.set_services(ED, a.uuid, ["identite-03"]).services == ("identite-03",)
    ws = reopen(ws, catalog)
    try:
        assert ws.load(ED).action(a.uuid).services == ("identite-03",)  # type: ignore[union-attr]
        assert ws.set_services(ED, a.uuid, []).services == ()
    finally:
        ws.close()


def test_several_addresses_kept_in_order(ws: Workspace, catalog: EditionCatalog) -> None:
    a = ws.create_action(ED, title="Espaces numériques")
    addresses = (
        Address("Médiathèque", "2 rue des Écoles", "35500", "Saint-Aubin-des-Landes"),
        Address("École", "", "", ""),
        Address("Mairie annexe", "Lieu-dit La Croix", "35500", "Vitré"),
    )
    assert ws.set_addresses(ED, a.uuid, addresses).addresses == addresses
    ws = reopen(ws, catalog)
    try:
        assert ws.load(ED).action(a.uuid).addresses == addresses  # type: ignore[union-attr]
        ws.set_addresses(ED, a.uuid, addresses[2:0:-1])
        assert ws.load(ED).action(a.uuid).addresses == (addresses[2], addresses[1])  # type: ignore[union-attr]
        with pytest.raises(InvalidInput, match="Code postal"):
            ws.set_addresses(ED, a.uuid, [Address("Salle", "rue", "35\n500", "Vitré")])
        assert ws.load(ED).action(a.uuid).addresses == (addresses[2], addresses[1])  # type: ignore[union-attr]
    finally:
        ws.close()


# ---------------------------------------------------------------------- attachments


def test_add_attachment_copies_into_content_addressed_folder(
    ws: Workspace, tmp_path: Path, files_dir: Path, catalog: EditionCatalog
) -> None:
    a = ws.create_action(ED, title="Budget participatif")
    content = b"%PDF-1.4\n" + bytes(range(256)) * 50
    source = tmp_path / "compte rendu conseil.pdf"
    source.write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()

    ref = ws.add_attachment(ED, a.uuid, source)
    assert (ref.sha256, ref.size, ref.media_type, ref.name) == (
        sha,
        len(content),
        "application/pdf",
        "compte rendu conseil.pdf",
    )
    stored = files_dir / sha[:2] / sha
    assert stored.read_bytes() == content
    assert files_in(files_dir) == [sha[:2], f"{sha[:2]}/{sha}"]  # no temporary file left behind
    source.unlink()  # the store keeps its own copy

    # The same content attached twice is stored once and listed once.
    again = tmp_path / "copie.pdf"
    again.write_bytes(content)
    assert ws.add_attachment(ED, a.uuid, again).sha256 == sha
    other = tmp_path / "photo.jpg"
    other.write_bytes(b"\xff\xd8\xff photo")
    ref2 = ws.add_attachment(ED, a.uuid, other)
    assert ref2.media_type == "image/jpeg"

    ws = reopen(ws, catalog)
    try:
        assert ws.load(ED).action(a.uuid).attachments == (ref, ref2)  # type: ignore[union-attr]
        assert [p.code for p in ws.check(ED) if p.code == "attachment_missing"] == []
        ws.remove_attachment(ED, a.uuid, sha)
        assert ws.load(ED).action(a.uuid).attachments == (ref2,)  # type: ignore[union-attr]
    finally:
        ws.close()
    ws = Workspace.open(ws.store.path, catalog, clock=fixed_clock)
    try:
        assert ws.load(ED).action(a.uuid).attachments == (ref2,)  # type: ignore[union-attr]
    finally:
        ws.close()


def test_attachment_over_the_size_limit_is_refused_in_french(
    ws: Workspace, tmp_path: Path, store_path: Path, files_dir: Path
) -> None:
    a = ws.create_action(ED, title="Vidéo")
    big = tmp_path / "film du conseil.mp4"
    with big.open("wb") as fh:
        fh.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: costs no disk
    assert MAX_ATTACHMENT_BYTES == 20 * 1024 * 1024
    before = dump_store(store_path)
    with pytest.raises(InvalidInput) as err:
        ws.add_attachment(ED, a.uuid, big)
    message = err.value.message
    assert "« film du conseil.mp4 »" in message
    assert "20 Mo" in message and "ne peut pas dépasser" in message
    assert dump_store(store_path) == before
    assert files_in(files_dir) == []

    # Exactly at the limit is accepted.
    with big.open("r+b") as fh:
        fh.truncate(MAX_ATTACHMENT_BYTES)
    ref = ws.add_attachment(ED, a.uuid, big)
    assert ref.size == MAX_ATTACHMENT_BYTES
    assert ref.sha256 == hashlib.sha256(b"\0" * MAX_ATTACHMENT_BYTES).hexdigest()


def test_attachment_source_missing_or_folder(ws: Workspace, tmp_path: Path, store_path: Path) -> None:
    a = ws.create_action(ED, title="Vidéo")
    before = dump_store(store_path)
    with pytest.raises(InvalidInput, match="introuvable"):
        ws.add_attachment(ED, a.uuid, tmp_path / "absent.pdf")
    folder = tmp_path / "un dossier"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="n'est pas un fichier"):
        ws.add_attachment(ED, a.uuid, folder)
    assert dump_store(store_path) == before


# ---------------------------------------------------------------------- undo of a deletion


def test_delete_then_restore_brings_back_everything(
    ws: Workspace, tmp_path: Path, catalog: EditionCatalog, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 3)))
    middle = ws.load(ED).actions[1]
    ws.set_services(ED, middle.uuid, ["identite-02", "culture-01", "emploi-12"])
    ws.set_addresses(ED, middle.uuid, [Address("A", "1 rue", "35000", "Rennes"), Address("B", "", "", "")])
    f = tmp_path / "affiche.png"
    f.write_bytes(b"\x89PNG fake")
    ws.add_attachment(ED, middle.uuid, f)
    full = ws.load(ED)
    middle = full.actions[1]
    assert middle.attachments and len(middle.services) == 3

    removed, position = ws.delete_action(ED, middle.uuid)
    assert removed == middle and position == 1
    assert [x.uuid for x in ws.load(ED).actions] == [full.actions[0].uuid, full.actions[2].uuid]
    ws = reopen(ws, catalog)
    try:
        restored = ws.restore_action(ED, removed, position)
        assert restored == middle
        assert ws.load(ED) == full
        assert ws.check(ED) == []  # the attached file is still in the store's folder
        with pytest.raises(InvalidInput, match="existe déjà"):
            ws.restore_action(ED, removed, position)
        # Without a position it goes last.
        last, _ = ws.delete_action(ED, full.actions[0].uuid)
        ws.restore_action(ED, last)
        assert [x.uuid for x in ws.load(ED).actions] == [a.uuid for a in (*full.actions[1:], full.actions[0])]
    finally:
        ws.close()
    ws = Workspace.open(ws.store.path, catalog, clock=fixed_clock)
    try:
        assert ws.load(ED).action(middle.uuid) == middle
    finally:
        ws.close()


def test_restore_checks_the_action_like_an_edit(ws: Workspace, store_path: Path) -> None:
    ws.open_dossier(ED)
    before = dump_store(store_path)
    with pytest.raises(InvalidInput, match="Titre"):
        ws.restore_action(ED, ActionData(uuid="00000000-0000-0000-0000-000000000009", title="a\x1bb"))
    assert dump_store(store_path) == before


# ---------------------------------------------------------------------- EPCI and dates


def test_epci_answers_persisted_and_unknown_criterion_refused(
    ws: Workspace, store_path: Path, catalog: EditionCatalog
) -> None:
    ws.set_epci_answer(ED, "epci-03", True, "Diagnostic réalisé en 2024.\nMis à jour en 2025.")
    ws.set_epci_answer(ED, "epci-01", False)
    ws.set_epci_answer(ED, "epci-02", None, "À voir")
    ws.set_epci_answer(ED, "epci-01", True, "Finalement oui")
    before = dump_store(store_path)
    with pytest.raises(EditionError, match="« epci-99 »"):
        ws.set_epci_answer(ED, "epci-99", True)
    with pytest.raises(InvalidInput, match="Précisions"):
        ws.set_epci_answer(ED, "epci-04", True, "bip\x07")
    assert dump_store(store_path) == before
    ws = reopen(ws, catalog)
    try:
        assert ws.load(ED).epci_answers == (
            EpciAnswerData("epci-01", True, "Finalement oui"),
            EpciAnswerData("epci-02", None, "À voir"),
            EpciAnswerData("epci-03", True, "Diagnostic réalisé en 2024.\nMis à jour en 2025."),
        )
    finally:
        ws.close()


def test_end_date_before_start_date_refused(ws: Workspace, store_path: Path, catalog: EditionCatalog) -> None:
    with pytest.raises(InvalidInput, match="date de fin précède"):
        ws.create_action(ED, title="x", start_date=date(2025, 5, 2), end_date=date(2025, 5, 1))
    a = ws.create_action(ED, title="x", start_date=date(2025, 5, 1), end_date=date(2025, 5, 1))
    before = dump_store(store_path)
    with pytest.raises(InvalidInput, match="date de fin précède"):
        ws.update_action(ED, a.uuid, end_date=date(2025, 4, 30))
    with pytest.raises(InvalidInput, match="date de fin précède"):
        ws.update_action(ED, a.uuid, start_date=date(2025, 5, 2))
    assert dump_store(store_path) == before
    ws.update_action(ED, a.uuid, start_date=None)
    ws.update_action(ED, a.uuid, end_date=date(2020, 1, 1))
    ws = reopen(ws, catalog)
    try:
        got = ws.load(ED).action(a.uuid)
        assert got is not None and (got.start_date, got.end_date) == (None, date(2020, 1, 1))
    finally:
        ws.close()


def test_everything_survives_reopening(ws: Workspace, tmp_path: Path, catalog: EditionCatalog) -> None:
    ws.update_profile(**{k: getattr(commune_profile(), k) for k in Profile.__slots__})
    a = ws.create_action(ED, title="A", synthesis="S\nS", level="projet", start_date=date(2026, 1, 1))
    ws.set_services(ED, a.uuid, ["education-01"])
    ws.set_addresses(ED, a.uuid, [Address("Collège", "rue", "35500", "Vitré")])
    f = tmp_path / "note.txt"
    f.write_text("bonjour", encoding="utf-8")
    ws.add_attachment(ED, a.uuid, f)
    ws.set_epci_answer(ED, "epci-05", False, "non")
    before = ws.load(ED)
    summaries = ws.dossier_summaries()
    ws = reopen(ws, catalog)
    try:
        assert ws.load(ED) == before
        assert ws.dossier_summaries() == summaries
        assert ws.has_dossier(ED) and not ws.has_dossier("2020")
        assert ws.load("2020").actions == ()
    finally:
        ws.close()
