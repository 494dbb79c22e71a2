"""Carrying last edition's actions over to a newer edition whose services were partly renamed or removed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.carry_over import SAME_ID, SAME_LABEL, CarryOverError, apply_carry_over, newer_editions, plan_carry_over
from app.edition import Edition, EditionCatalog, builtin_directory
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import action, complete_dossier, fixed_clock

EditionEdit = Callable[[dict[str, Any]], None]


def write_edition(
    folder: Path, edition_id: str = "2020", closes: date | None = None, edit: EditionEdit | None = None
) -> Path:
    """A copy of the 2019 questionnaire under another id, with its closing date and any change to its data."""
    data = json.loads((builtin_directory() / "2019.json").read_text(encoding="utf-8"))
    data["edition"] = edition_id
    data["title"] = f"Label national Territoires, Villes & Villages Internet — Dossier de participation {edition_id}"
    data["closes"] = closes.isoformat() if closes else None
    if edit is not None:
        edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{edition_id}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def services_of(data: dict[str, Any], subtheme_id: str) -> list[dict[str, str]]:
    for theme in data["themes"]:
        for st in theme["subthemes"]:
            if st["id"] == subtheme_id:
                return st["services"]  # type: ignore[no-any-return]
    raise KeyError(subtheme_id)


def renamed_2020(data: dict[str, Any]) -> None:
    """identite-01 gets a new id (same wording), culture-01 a new id and a re-typed wording, mediation-05 is gone,
    and the lowest level of realisation is replaced."""
    identite = services_of(data, "identite")
    identite[0]["id"] = "identite-securite"
    culture = services_of(data, "culture")
    culture[0]["id"] = "culture-numerisation"
    culture[0]["label"] = "  " + culture[0]["label"].upper().replace("É", "E") + " "
    mediation = services_of(data, "mediation")
    mediation[:] = [s for s in mediation if s["id"] != "mediation-05"]
    data["levels"] = [lv for lv in data["levels"] if lv["id"] != "projet"] + [
        {"id": "envisage", "label": "Envisagé", "rank": 4}
    ]


@pytest.fixture
def two_editions(tmp_path: Path) -> EditionCatalog:
    write_edition(tmp_path / "editions", "2020", date(2026, 12, 5), renamed_2020)
    return EditionCatalog([tmp_path / "editions", builtin_directory()])


@pytest.fixture
def ws2(tmp_path: Path, two_editions: EditionCatalog) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "commune.sqlite", two_editions, clock=fixed_clock)
    yield workspace
    workspace.close()


def old_dossier(edition: Edition) -> Any:
    return complete_dossier(
        edition,
        0,
        actions=(
            action(edition, 0, title="Sécurité et culture", services=("identite-01", "innovation-02", "culture-01")),
            action(edition, 1, title="Point d'accès public", services=("mediation-05",)),
            action(edition, 2, title="Projet de tiers-lieu", services=("economie-01",), level="projet"),
        ),
    )


def test_plan_keeps_ids_finds_renamed_services_by_wording_and_lists_the_rest(two_editions: EditionCatalog) -> None:
    old, new = two_editions.get("2019"), two_editions.get("2020")
    plan = plan_carry_over(old, new, old_dossier(old))

    first, second, third = plan.actions
    assert first.uuid == old_dossier(old).actions[0].uuid  # the uuid travels with the action
    assert [(x.old_id, x.new_id, x.how) for x in first.links] == [
        ("identite-01", "identite-securite", SAME_LABEL),
        ("innovation-02", "innovation-02", SAME_ID),
        ("culture-01", "culture-numerisation", SAME_LABEL),
    ]
    assert first.action.services == ("identite-securite", "culture-numerisation", "innovation-02")  # new order
    assert not first.needs_relink and not first.dropped and len(first.relinked) == 2

    assert second.action.services == () and second.needs_relink
    assert [x.old_label for x in second.dropped] == [old.service("mediation-05").label]
    assert plan.to_relink == (second,)

    assert third.action.level is None and third.old_level == "projet" and third.level_dropped
    assert first.action.level == "en-cours" and not first.level_dropped
    assert first.action.synthesis == old_dossier(old).actions[0].synthesis


def test_two_new_services_with_the_same_wording_are_left_to_the_user(tmp_path: Path) -> None:
    def twin(data: dict[str, Any]) -> None:
        services = services_of(data, "identite")
        services[0]["id"] = "identite-a"
        services.append({"id": "identite-b", "label": services[0]["label"]})

    write_edition(tmp_path, "2020", None, twin)
    catalog = EditionCatalog([tmp_path, builtin_directory()])
    old, new = catalog.get("2019"), catalog.get("2020")
    dossier = complete_dossier(old, 0, actions=(action(old, 0, services=("identite-01",)),))
    (carried,) = plan_carry_over(old, new, dossier).actions
    assert carried.needs_relink and carried.dropped[0].old_id == "identite-01"


def test_apply_writes_the_actions_in_the_new_dossier_and_leaves_the_old_one(
    ws2: Workspace, two_editions: EditionCatalog
) -> None:
    old, new = two_editions.get("2019"), two_editions.get("2020")
    ws2.import_document(to_document(old_dossier(old)))
    before = ws2.load("2019")
    assert newer_editions(ws2, "2019") == ["2020"]

    plan = plan_carry_over(old, new, before)
    result = apply_carry_over(ws2, plan, "2020")

    assert result.added == tuple(a.uuid for a in before.actions) and result.skipped == ()
    assert [a.title for a in result.to_relink] == ["Point d'accès public"]
    ws2.close()
    reopened = Workspace.open(ws2.path, two_editions, clock=fixed_clock)
    try:
        after = reopened.load("2020")
        assert after.state == "brouillon" and after.revision == 1
        assert [a.uuid for a in after.actions] == [a.uuid for a in before.actions]
        assert after.actions[0].services == ("identite-securite", "culture-numerisation", "innovation-02")
        assert after.actions[0].addresses == before.actions[0].addresses
        assert after.actions[1].services == ()
        assert after.actions[2].level is None
        assert reopened.load("2019") == before  # last edition's dossier is untouched
        problems = {(p.code, p.action_uuid) for p in reopened.check("2020")}
        assert ("action_services", before.actions[1].uuid) in problems  # listed for the user to re-link
        assert reopened.default_edition() == "2020"  # the window opens the new edition next
    finally:
        reopened.close()


def test_applying_twice_or_a_selection_never_duplicates(ws2: Workspace, two_editions: EditionCatalog) -> None:
    old, new = two_editions.get("2019"), two_editions.get("2020")
    ws2.import_document(to_document(old_dossier(old)))
    plan = plan_carry_over(old, new, ws2.load("2019"))
    first_uuid = plan.actions[0].uuid

    only_first = apply_carry_over(ws2, plan, "2020", only={first_uuid})
    assert only_first.added == (first_uuid,)
    assert [a.uuid for a in ws2.load("2020").actions] == [first_uuid]

    again = plan_carry_over(old, new, ws2.load("2019"), ws2.load("2020"))
    assert [c.already_there for c in again.actions] == [True, False, False]
    assert len(again.to_write) == 2
    result = apply_carry_over(ws2, plan, "2020")  # the old plan: already written actions are skipped
    assert result.skipped == (first_uuid,) and len(result.added) == 2
    assert len(ws2.load("2020").actions) == 3


def test_wrong_edition_is_refused_in_french(ws2: Workspace, two_editions: EditionCatalog) -> None:
    old, new = two_editions.get("2019"), two_editions.get("2020")
    plan = plan_carry_over(old, new, old_dossier(old))
    with pytest.raises(CarryOverError, match="concerne l'édition 2020"):
        apply_carry_over(ws2, plan, "2019")
    with pytest.raises(CarryOverError, match="déjà dans l'édition 2019"):
        plan_carry_over(old, old, old_dossier(old))
    assert not ws2.has_dossier("2020")
