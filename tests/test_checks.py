"""The completeness check: each rule, with its field and whether it blocks validation."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.checks import Problem, blocking, check_dossier
from app.edition import Edition, EditionCatalog, builtin_directory
from app.interchange import to_document
from app.model import AttachmentRef, DossierData, EpciAnswerData
from app.workspace import Workspace
from tests.factories import action, commune_profile, complete_dossier, epci_answers, fixed_clock

TODAY = date(2026, 11, 23)  # the day of tests.factories.FIXED_NOW
UUID0 = "00000000-0000-0000-0000-000000000001"  # uuid of factories.action(edition, 0)
VALID_SIREN = "200046977"


def found(problems: list[Problem]) -> list[tuple[str, str, bool]]:
    return [(p.code, p.field, p.blocking) for p in problems]


def with_profile(edition: Edition, **changes: Any) -> DossierData:
    return complete_dossier(edition, profile=commune_profile(**changes))


def with_action(edition: Edition, **changes: Any) -> DossierData:
    return complete_dossier(edition, actions=(action(edition, 0, **changes), *complete_dossier(edition).actions[1:]))


def test_complete_dossier_has_no_problem(edition: Edition) -> None:
    assert check_dossier(edition, complete_dossier(edition), TODAY, lambda sha: True) == []


def test_complete_epci_has_no_problem(edition: Edition) -> None:
    d = complete_dossier(
        edition, profile=commune_profile(kind="epci", code=VALID_SIREN), epci_answers=epci_answers(edition)
    )
    assert check_dossier(edition, d, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, ("profile_name", "profile.name", True)),
        ({"name": "  \t "}, ("profile_name", "profile.name", True)),
        ({"code": ""}, ("profile_code", "profile.code", True)),
        ({"code": "3524"}, ("profile_code", "profile.code", True)),
        ({"code": "2C004"}, ("profile_code", "profile.code", True)),
        ({"code": "352480"}, ("profile_code", "profile.code", True)),
        ({"departement": "20"}, ("profile_departement", "profile.departement", False)),
        ({"population": None}, ("profile_population", "profile.population", False)),
        ({"postal_code": "3550"}, ("profile_postal_code", "profile.postal_code", False)),
        ({"referent_name": ""}, ("referent_name", "profile.referent_name", True)),
        ({"referent_email": ""}, ("referent_email", "profile.referent_email", True)),
        ({"referent_email": "mairie.fr"}, ("referent_email", "profile.referent_email", True)),
        ({"referent_email": "mairie@fr"}, ("referent_email", "profile.referent_email", True)),
        ({"referent_email": "a b@mairie.fr"}, ("referent_email", "profile.referent_email", True)),
        ({"referent_phone": "12 34"}, ("referent_phone", "profile.referent_phone", False)),
        ({"referent_phone": "00 99 49 00 00"}, ("referent_phone", "profile.referent_phone", False)),
        ({"referent_phone": "02 99 49 00 0"}, ("referent_phone", "profile.referent_phone", False)),
    ],
)
def test_profile_rules(edition: Edition, changes: dict[str, Any], expected: tuple[str, str, bool]) -> None:
    problems = check_dossier(edition, with_profile(edition, **changes), TODAY)
    assert found(problems) == [expected]
    assert problems[0].action_uuid is None
    assert problems[0].message.endswith(".")


@pytest.mark.parametrize(
    "changes",
    [
        {"code": "2A004"},
        {"code": "2b033"},
        {"code": " 35238 "},
        {"departement": "2A"},
        {"departement": "974"},
        {"referent_phone": ""},
        {"referent_phone": "+33 2 99 49 00 00"},
        {"referent_phone": "0033 2.99.49.00.00"},
        {"referent_phone": "06-12-34-56-78"},
        {"postal_code": ""},
        {"departement": ""},
        {"population": 0},
    ],
)
def test_profile_values_that_are_fine(edition: Edition, changes: dict[str, Any]) -> None:
    assert check_dossier(edition, with_profile(edition, **changes), TODAY) == []


def test_bad_insee_message_names_the_code(edition: Edition) -> None:
    (p,) = check_dossier(edition, with_profile(edition, code="ABCDE"), TODAY)
    assert "INSEE" in p.message and "« ABCDE »" in p.message


@pytest.mark.parametrize("code", ["200046978", "20004697", "2000469770", "20004697A", "123456789"])
def test_epci_siren_luhn(edition: Edition, code: str) -> None:
    d = complete_dossier(edition, profile=commune_profile(kind="epci", code=code), epci_answers=epci_answers(edition))
    problems = check_dossier(edition, d, TODAY)
    assert found(problems) == [("profile_code", "profile.code", True)]
    assert "SIREN" in problems[0].message and code in problems[0].message


def test_epci_siren_accepts_spaces(edition: Edition) -> None:
    d = complete_dossier(
        edition, profile=commune_profile(kind="epci", code="200 046 977"), epci_answers=epci_answers(edition)
    )
    assert check_dossier(edition, d, TODAY) == []


def test_missing_siren_says_siren(edition: Edition) -> None:
    d = complete_dossier(edition, profile=commune_profile(kind="epci", code=""), epci_answers=epci_answers(edition))
    (p,) = check_dossier(edition, d, TODAY)
    assert (p.code, p.blocking) == ("profile_code", True) and "SIREN" in p.message


def test_autre_kind_code_is_not_checked_for_form(edition: Edition) -> None:
    assert check_dossier(edition, with_profile(edition, kind="autre", code="REGION-BZH"), TODAY) == []


def test_no_action_blocks(edition: Edition) -> None:
    problems = check_dossier(edition, complete_dossier(edition, actions=()), TODAY)
    assert found(problems) == [("no_action", "dossier", True)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"services": ()}, [("action_services", f"action:{UUID0}.services", True)]),
        ({"services": ("identite-01", "fantome")}, [("action_service_unknown", f"action:{UUID0}.services", True)]),
        ({"title": ""}, [("action_title", f"action:{UUID0}.title", True)]),
        ({"title": "   "}, [("action_title", f"action:{UUID0}.title", True)]),
        ({"synthesis": ""}, [("action_synthesis", f"action:{UUID0}.synthesis", True)]),
        ({"synthesis": "\n\t "}, [("action_synthesis", f"action:{UUID0}.synthesis", True)]),
        ({"level": None}, [("action_level", f"action:{UUID0}.level", True)]),
        ({"level": "termine"}, [("action_level", f"action:{UUID0}.level", True)]),
        ({"level": "projet"}, [("action_not_started", f"action:{UUID0}.level", False)]),
        ({"level": "realise"}, [("action_end_missing", f"action:{UUID0}.end_date", False)]),
        ({"level": "realise", "end_date": date(2026, 6, 30)}, []),
        ({"web_link": "www.mairie.fr"}, [("action_web_link", f"action:{UUID0}.web_link", False)]),
        ({"web_link": ""}, []),
        ({"start_date": date(2026, 11, 24)}, [("action_future", f"action:{UUID0}.start_date", False)]),
        ({"start_date": date(2026, 11, 23)}, []),
        ({"start_date": date(2027, 1, 1), "level": "projet"}, [("action_not_started", f"action:{UUID0}.level", False)]),
    ],
)
def test_action_rules(edition: Edition, changes: dict[str, Any], expected: list[tuple[str, str, bool]]) -> None:
    problems = check_dossier(edition, with_action(edition, **changes), TODAY)
    assert found(problems) == expected
    assert all(p.action_uuid == UUID0 for p in problems)


def test_action_messages_name_the_action(edition: Edition) -> None:
    (p,) = check_dossier(edition, with_action(edition, level=None), TODAY)
    assert "« Atelier numérique n° 1 »" in p.message
    (p,) = check_dossier(edition, with_action(edition, title=""), TODAY)
    assert "n° 1 (sans titre)" in p.message
    (p,) = check_dossier(edition, with_action(edition, level="projet"), TODAY)
    assert "en projet" in p.message and "deux ans" in p.message


@pytest.mark.parametrize(
    ("today", "end", "too_old"),
    [
        (TODAY, date(2024, 11, 23), False),  # exactly two years: still counted
        (TODAY, date(2024, 11, 22), True),  # two years and one day
        (TODAY, date(2026, 11, 23), False),
        (date(2028, 2, 29), date(2026, 2, 28), False),  # leap day: two years back is 28 February
        (date(2028, 2, 29), date(2026, 2, 27), True),
    ],
)
def test_two_year_rule_boundary(edition: Edition, today: date, end: date, too_old: bool) -> None:
    d = with_action(edition, level="realise", start_date=date(2020, 1, 1), end_date=end)
    problems = check_dossier(edition, d, today)
    expected = [("action_too_old", f"action:{UUID0}.end_date", False)] if too_old else []
    assert found(problems) == expected
    if too_old:
        assert end.strftime("%d/%m/%Y") in problems[0].message
        assert "plus de deux ans" in problems[0].message


def test_epci_unanswered_criteria_block(edition: Edition) -> None:
    answers = tuple(
        a if a.criterion != "epci-07" else EpciAnswerData("epci-07", None, "?") for a in epci_answers(edition)
    )
    answers = tuple(a for a in answers if a.criterion != "epci-11")
    d = complete_dossier(edition, profile=commune_profile(kind="epci", code=VALID_SIREN), epci_answers=answers)
    problems = check_dossier(edition, d, TODAY)
    assert found(problems) == [("epci_unanswered", "epci:epci-07", True), ("epci_unanswered", "epci:epci-11", True)]
    assert "mutualisation" in problems[0].message

    none = complete_dossier(edition, profile=commune_profile(kind="epci", code=VALID_SIREN), epci_answers=())
    assert [p.field for p in check_dossier(edition, none, TODAY)] == [f"epci:{c.id}" for c in edition.epci_criteria]
    # A commune is not asked the intercommunal criteria.
    assert check_dossier(edition, complete_dossier(edition, epci_answers=()), TODAY) == []


def test_missing_attachment_file_blocks(edition: Edition) -> None:
    present, absent = "a" * 64, "b" * 64
    refs = (AttachmentRef(present, 3, "text/plain", "ok.txt"), AttachmentRef(absent, 3, "application/pdf", "perdu.pdf"))
    d = with_action(edition, attachments=refs)
    problems = check_dossier(edition, d, TODAY, lambda sha: sha == present)
    assert found(problems) == [("attachment_missing", f"action:{UUID0}.attachments", True)]
    assert "« perdu.pdf »" in problems[0].message
    assert check_dossier(edition, d, TODAY, None) == []  # no file store to look into: not checked


def test_missing_attachment_in_a_real_store(ws: Workspace, edition: Edition, tmp_path: Path) -> None:
    content = b"compte rendu"
    sha = hashlib.sha256(content).hexdigest()
    d = with_action(edition, attachments=(AttachmentRef(sha, len(content), "text/plain", "cr.txt"),))
    ws.import_document(to_document(d))
    assert found(ws.check("2019")) == [("attachment_missing", f"action:{UUID0}.attachments", True)]
    source = tmp_path / "cr.txt"
    source.write_bytes(content)
    ws.add_attachment("2019", UUID0, source)  # same bytes: the file is now in the store's folder
    assert ws.check("2019") == []


def _edition_2020(tmp_path: Path, closes: str | None) -> Edition:
    raw = json.loads((builtin_directory() / "2019.json").read_text(encoding="utf-8"))
    raw.update(edition="2020", closes=closes)
    folder = tmp_path / "editions"
    folder.mkdir(exist_ok=True)
    (folder / "2020.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return EditionCatalog([folder]).get("2020")


def test_deadline_passed_is_advice(tmp_path: Path) -> None:
    edition = _edition_2020(tmp_path, "2026-11-12")
    assert edition.closes == date(2026, 11, 12)
    d = complete_dossier(edition)
    problems = check_dossier(edition, d, TODAY)
    assert found(problems) == [("deadline_passed", "dossier", False)]
    assert "12/11/2026" in problems[0].message and "2020" in problems[0].message
    assert check_dossier(edition, d, date(2026, 11, 12)) == []  # the closing day itself is still open
    assert found(check_dossier(edition, d, date(2026, 11, 13))) == [("deadline_passed", "dossier", False)]


def test_deadline_through_the_workspace(tmp_path: Path) -> None:
    edition = _edition_2020(tmp_path, "2026-11-12")
    catalog = EditionCatalog([tmp_path / "editions"])
    with Workspace.open(tmp_path / "w.sqlite", catalog, clock=fixed_clock) as ws:
        ws.import_document(to_document(complete_dossier(edition)))
        assert found(ws.check("2020")) == [("deadline_passed", "dossier", False)]
        assert ws.validate("2020").revision == 1  # advice does not block


def test_blocking_problems_come_first(edition: Edition) -> None:
    d = complete_dossier(
        edition,
        profile=commune_profile(referent_phone="12", name=""),
        actions=(action(edition, 0, level="projet"), action(edition, 1, services=())),
    )
    problems = check_dossier(edition, d, TODAY)
    flags = [p.blocking for p in problems]
    assert flags == sorted(flags, reverse=True)
    assert [p.code for p in blocking(problems)] == ["profile_name", "action_services"]
    assert {p.code for p in problems if not p.blocking} == {"referent_phone", "action_not_started"}
