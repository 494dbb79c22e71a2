"""Importing fiches exported by someone else: a preview first, never a duplicate, never their profile."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.contributions import SAME_TEXT, SAME_UUID, TWICE_IN_FILE, apply_contributions, preview_contributions
from app.edition import Edition, EditionCatalog
from app.interchange import InterchangeError, to_document
from app.model import AttachmentRef, DossierData
from app.workspace import Workspace
from tests.factories import action, commune_profile, complete_dossier, fixed_clock


def contributed_dossier(edition: Edition) -> DossierData:
    """What a teacher exported: one fiche already in the dossier, one re-typed copy, two new ones (one twice)."""
    mine = complete_dossier(edition, 2).actions
    new_uuid = lambda n: str(uuid.UUID(int=1000 + n))  # noqa: E731
    return DossierData(
        edition=edition.id,
        profile=commune_profile(name="Collège Jean Moulin", code="", referent_name="M. Prof"),
        actions=(
            mine[0].updated(results="Autre texte : la même fiche, modifiée par l'enseignant."),
            mine[1].updated(
                uuid=new_uuid(1),
                title="  ATELIER NUMERIQUE N° 2 ",
                synthesis=mine[1].synthesis.upper().replace("É", "E").replace("À", "A"),
            ),
            action(
                edition,
                20,
                uuid=new_uuid(2),
                title="Robotique au collège",
                synthesis="Un club de robotique le mercredi après-midi.",
                services=("education-03", "innovation-01"),
                attachments=(AttachmentRef("ab" * 32, 1234, "application/pdf", "affiche.pdf"),),
            ),
            action(edition, 21, uuid=new_uuid(3), title="Fablab", synthesis="Imprimantes 3D en accès libre."),
            action(edition, 22, uuid=new_uuid(4), title="fablab", synthesis="Imprimantes 3D  en accès libre."),
        ),
    )


def test_preview_sorts_new_and_already_present_fiches(ws: Workspace, edition: Edition) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    doc = to_document(contributed_dossier(edition))

    preview = preview_contributions(ws, "2019", doc)

    assert preview.contributor == "Collège Jean Moulin"
    assert [c.action.title for c in preview.to_add] == ["Robotique au collège", "Fablab"]
    assert [(c.action.title.strip(), c.reason) for c in preview.already_present] == [
        ("Atelier numérique n° 1", SAME_UUID),
        ("ATELIER NUMERIQUE N° 2", SAME_TEXT),
        ("fablab", TWICE_IN_FILE),
    ]
    robot = preview.to_add[0]
    assert robot.action.attachments == () and [f.name for f in robot.missing_attachments] == ["affiche.pdf"]
    assert len(ws.load("2019").actions) == 2  # a preview writes nothing


def test_apply_adds_only_new_fiches_with_their_uuid_and_links_and_keeps_the_profile(
    ws: Workspace, edition: Edition, catalog: EditionCatalog, store_path: Path
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    profile_before = ws.profile()
    preview = preview_contributions(ws, "2019", to_document(contributed_dossier(edition)))

    added = apply_contributions(ws, preview)

    assert [a.title for a in added] == ["Robotique au collège", "Fablab"]
    ws.close()
    other = Workspace.open(store_path, catalog, clock=fixed_clock)
    try:
        dossier = other.load("2019")
        assert [a.title for a in dossier.actions] == [
            "Atelier numérique n° 1",
            "Atelier numérique n° 2",
            "Robotique au collège",
            "Fablab",
        ]
        robot = dossier.actions[2]
        assert robot.uuid == str(uuid.UUID(int=1002))
        assert robot.services == ("education-03", "innovation-01")
        assert robot.attachments == ()  # no reference to a file this computer does not have
        assert dossier.actions[0].results == complete_dossier(edition, 2).actions[0].results  # not overwritten
        assert other.profile() == profile_before
        assert not [p for p in other.check("2019") if p.code == "attachment_missing"]
        assert apply_contributions(other, preview) == []  # applying twice adds nothing
        assert len(other.load("2019").actions) == 4
    finally:
        other.close()


def test_apply_only_the_ticked_fiches(ws: Workspace, edition: Edition) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    preview = preview_contributions(ws, "2019", to_document(contributed_dossier(edition)))
    assert [c.action.title.strip() for c in preview.to_add] == [
        "ATELIER NUMERIQUE N° 2",
        "Robotique au collège",
        "Fablab",
    ]
    fablab = preview.to_add[2].uuid
    assert [a.uuid for a in apply_contributions(ws, preview, only={fablab})] == [fablab]
    assert [a.title for a in ws.load("2019").actions] == ["Atelier numérique n° 1", "Fablab"]


def test_a_file_of_another_edition_or_not_a_dossier_is_refused_in_french(ws: Workspace, edition: Edition) -> None:
    doc = to_document(contributed_dossier(edition))
    doc["edition"] = "2020"
    with pytest.raises(InterchangeError, match="l'édition 2020, pas l'édition 2019"):
        preview_contributions(ws, "2019", doc)
    with pytest.raises(InterchangeError, match="Dossier invalide"):
        preview_contributions(ws, "2019", {"format": "autre chose"})
    assert not ws.has_dossier("2019")
