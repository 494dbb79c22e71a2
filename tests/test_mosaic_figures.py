"""Figures of the mosaïque des enjeux (app.mosaic.coverage) for known dossiers."""

from __future__ import annotations

from app.edition import Edition
from app.interchange import to_document
from app.model import DossierData
from app.mosaic import coverage
from app.workspace import Workspace
from tests.factories import action, complete_dossier

THEME_TOTALS = {"democratie": 38, "vivre-ensemble": 31, "connaissances": 34, "richesses": 35}


def known_dossier(edition: Edition) -> DossierData:
    return complete_dossier(
        edition,
        actions=(
            action(edition, 0, level="en-cours", services=("identite-01", "identite-02")),
            action(edition, 1, level="realise", services=("identite-02", "culture-10")),
            action(edition, 2, level=None, services=("identite-03",)),
            action(edition, 3, level="projet", services=("identite-01", "culture-01")),
            action(edition, 4, level="projet", services=("culture-10", "emploi-12")),
            action(edition, 5, level="inconnu", services=("emploi-12",)),
            action(edition, 6, level="realise", services=()),
        ),
    )


def uuid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n + 1:012d}"


def test_empty_dossier_covers_nothing(edition: Edition) -> None:
    cov = coverage(edition, DossierData(edition="2019"))
    assert (cov.edition, cov.covered, cov.total) == ("2019", 0, 138)
    assert {t.theme_id: (t.covered, t.total) for t in cov.themes} == {k: (0, v) for k, v in THEME_TOTALS.items()}
    assert all(not s.covered and s.best_level is None for t in cov.themes for st in t.subthemes for s in st.services)
    assert sum(st.total for t in cov.themes for st in t.subthemes) == 138


def test_best_level_per_service(edition: Edition) -> None:
    cov = coverage(edition, known_dossier(edition))
    expected = {
        "identite-01": ((uuid(0), uuid(3)), "en-cours"),
        "identite-02": ((uuid(0), uuid(1)), "realise"),
        "identite-03": ((uuid(2),), None),  # an action without level covers, without level
        "culture-01": ((uuid(3),), "projet"),
        "culture-10": ((uuid(1), uuid(4)), "realise"),
        "emploi-12": ((uuid(4), uuid(5)), "projet"),  # an unknown level counts as no level
    }
    got = {
        s.service_id: (s.action_uuids, s.best_level.id if s.best_level else None)
        for t in cov.themes
        for st in t.subthemes
        for s in st.services
        if s.covered
    }
    assert got == expected
    assert cov.service("identite-02").best_level == edition.level("realise")
    assert cov.service("identite-02").label == edition.service("identite-02").label
    assert not cov.service("identite-04").covered and cov.service("identite-04").best_level is None


def test_figures_per_subtheme_and_theme(edition: Edition) -> None:
    cov = coverage(edition, known_dossier(edition))
    assert (cov.covered, cov.total) == (6, 138)
    assert {t.theme_id: (t.covered, t.total) for t in cov.themes} == {
        "democratie": (3, 38),
        "vivre-ensemble": (0, 31),
        "connaissances": (2, 34),
        "richesses": (1, 35),
    }
    subs = {st.subtheme_id: (st.covered, st.total) for t in cov.themes for st in t.subthemes}
    assert subs == {
        "identite": (3, 11),
        "vie-associative": (0, 8),
        "efficacite": (0, 10),
        "democratie-locale": (0, 9),
        "vie-quotidienne": (0, 9),
        "cohesion-sociale": (0, 8),
        "solidarite": (0, 8),
        "territoire-durable": (0, 6),
        "education": (0, 10),
        "mediation": (0, 6),
        "cooperation": (0, 8),
        "culture": (2, 10),
        "emploi": (1, 12),
        "innovation": (0, 7),
        "economie": (0, 9),
        "attractivite": (0, 7),
    }
    assert cov.subtheme("culture").title == edition.subtheme("culture").title
    assert [t.theme_id for t in cov.themes] == [t.id for t in edition.themes]


def test_unknown_service_ids_are_not_counted(edition: Edition) -> None:
    d = complete_dossier(edition, actions=(action(edition, 0, services=("identite-01", "fantome-01")),))
    cov = coverage(edition, d)
    assert (cov.covered, cov.total) == (1, 138)


def test_every_service_covered_at_top_level(edition: Edition) -> None:
    all_ids = tuple(s.id for s in edition.services)
    d = complete_dossier(edition, actions=(action(edition, 0, level="realise", services=all_ids),))
    cov = coverage(edition, d)
    assert (cov.covered, cov.total) == (138, 138)
    assert {s.best_level for t in cov.themes for st in t.subthemes for s in st.services} == {edition.top_level}


def test_workspace_coverage_and_status_agree(ws: Workspace, edition: Edition) -> None:
    known = known_dossier(edition)
    # The import refuses an unknown level: leave out the action that has one.
    ws.import_document(to_document(complete_dossier(edition, actions=known.actions[:5] + known.actions[6:])))
    assert ws.coverage("2019") == coverage(edition, ws.load("2019"))
    status = ws.status("2019")
    assert status.coverage is not None and (status.coverage.covered, status.coverage.total) == (6, 138)
    assert status.summary is not None and status.summary.action_count == 6
