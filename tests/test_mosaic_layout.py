"""The mosaïque as plain data: exact cell states, colours, marks and figures for a known dossier."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.edition import Edition, EditionCatalog, builtin_directory
from app.model import DossierData
from app.mosaic import coverage
from app.mosaic_layout import compute_layout
from app.mosaic_shapes import Mark, MosaicLayout, mark_shapes
from app.mosaic_style import (
    CANVAS_WIDTH,
    EMPTY_FILL,
    NEW_MARK,
    STATE_EMPTY,
    STATE_UNKNOWN,
    UNKNOWN_FILL,
    ink_for,
    relative_luminance,
)
from tests.factories import action, complete_dossier

REALISE, EN_COURS, PROJET = "#414487", "#22A884", "#FDE725"  # viridis steps, dark = further along


def known_dossier(edition: Edition) -> DossierData:
    """Six services covered, at every state; one title is hostile markup (it stays plain text)."""
    return complete_dossier(
        edition,
        0,
        actions=(
            action(edition, 0, title="Site de la mairie", level="realise", services=("identite-01", "identite-02")),
            action(
                edition, 1, title="<b>Ateliers</b> & cafés", level="en-cours", services=("identite-02", "mediation-05")
            ),
            action(edition, 2, title="Numérisation des archives", level=None, services=("culture-01",)),
            action(edition, 3, title="Plateforme emploi", level="projet", services=("emploi-03",)),
            action(edition, 4, title="Wifi en médiathèque", level="projet", services=("mediation-05",)),
            action(edition, 5, title="   ", level="en-cours", services=("attractivite-07",)),
        ),
    )


@pytest.fixture
def layout(edition: Edition) -> MosaicLayout:
    return compute_layout(edition, known_dossier(edition))


def test_every_service_has_one_cell_with_its_exact_state(edition: Edition, layout: MosaicLayout) -> None:
    assert len(layout.cells) == 138 and len(layout.blocks) == 16 and len(layout.quadrants) == 4
    assert [c.service_id for c in layout.cells] == [s.id for s in edition.services]
    covered = {c.service_id: (c.state, c.state_key, c.fill, c.mark) for c in layout.cells if c.covered}
    assert covered == {
        "identite-01": ("realise", "realise", REALISE, Mark("check")),
        "identite-02": ("realise", "realise", REALISE, Mark("check")),
        "mediation-05": ("en-cours", "en-cours", EN_COURS, Mark("pips", 2)),
        "culture-01": (None, STATE_UNKNOWN, UNKNOWN_FILL, Mark("unknown")),
        "emploi-03": ("projet", "projet", PROJET, Mark("pips", 1)),
        "attractivite-07": ("en-cours", "en-cours", EN_COURS, Mark("pips", 2)),
    }
    for c in layout.cells:
        if not c.covered:
            assert (c.state, c.state_key, c.fill, c.mark, c.action_titles) == (
                None,
                STATE_EMPTY,
                EMPTY_FILL,
                Mark(),
                (),
            )
        sv = edition.service(c.service_id)
        assert (c.subtheme_id, c.theme_id, c.label) == (sv.subtheme_id, sv.theme_id, sv.label)
        assert not c.is_new


def test_figures_match_the_coverage_and_are_written_on_the_picture(edition: Edition, layout: MosaicLayout) -> None:
    cov = coverage(edition, known_dossier(edition))
    assert (layout.covered, layout.total) == (6, 138) == (cov.covered, cov.total)
    figures = {q.theme_id: q.figure for q in layout.quadrants}
    assert figures == {
        "democratie": "2 / 38",
        "vivre-ensemble": "0 / 31",
        "connaissances": "2 / 34",
        "richesses": "2 / 35",
    }
    for q in layout.quadrants:
        assert q.figure in [t.text for t in q.texts]
    blocks = {b.subtheme_id: b for b in layout.blocks}
    assert blocks["identite"].figure == "2 / 11" and blocks["mediation"].figure == "1 / 6"
    assert blocks["attractivite"].figure == "1 / 7" and blocks["solidarite"].figure == "0 / 8"
    for b in layout.blocks:
        st = cov.subtheme(b.subtheme_id)
        assert (b.covered, b.total) == (st.covered, st.total)
        assert b.figure in [t.text for t in b.texts]
        assert sum(n for _key, _words, n in b.level_counts) == b.total
    assert dict((k, n) for k, _w, n in blocks["identite"].level_counts) == {
        "realise": 2,
        "en-cours": 0,
        "projet": 0,
        STATE_UNKNOWN: 0,
        STATE_EMPTY: 9,
    }
    texts = [t.text for t in layout.texts]
    assert "Mosaïque des enjeux — Saint-Aubin-des-Landes" in texts
    assert "6 services couverts sur 138" in texts


def test_tooltips_name_the_service_its_level_and_its_actions_as_plain_text(layout: MosaicLayout) -> None:
    cell = layout.cell("identite-02")
    assert cell.action_titles == ("Site de la mairie", "<b>Ateliers</b> & cafés")
    assert cell.tooltip.splitlines() == [
        cell.label,
        "Sous-thème : Identité, droits & liberté",
        "Meilleur niveau : Réalisé",
        "Actions liées :",
        "• Site de la mairie",
        "• <b>Ateliers</b> & cafés",
    ]
    assert layout.cell("attractivite-07").action_titles == ("(action sans titre)",)
    assert layout.cell("identite-03").tooltip.endswith("Meilleur niveau : Aucune action\nAucune action liée.")


def test_geometry_nests_without_overlap_inside_the_canvas(layout: MosaicLayout) -> None:
    assert layout.width == CANVAS_WIDTH and 600 < layout.height < 1200
    for q in layout.quadrants:
        assert q.rect.x >= 0 and q.rect.right <= layout.width and q.rect.bottom <= layout.height
    for b in layout.blocks:
        q = layout.quadrant(b.theme_id).rect
        assert q.x <= b.rect.x and b.rect.right <= q.right and q.y <= b.rect.y and b.rect.bottom <= q.bottom
    rects = [c.rect for c in layout.cells]
    for c in layout.cells:
        b = layout.block(c.subtheme_id).rect
        assert b.x <= c.rect.x and c.rect.right <= b.right and b.y <= c.rect.y and c.rect.bottom <= b.bottom
        assert layout.cell_at(*c.rect.center) is c
        assert c.rect.contains(*c.swatch_point) and not c.mark_rect.contains(*c.swatch_point)
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y
    legend_top = min(e.swatch.y for e in layout.legend)
    assert legend_top > max(q.rect.bottom for q in layout.quadrants)
    assert [e.key for e in layout.legend] == ["realise", "en-cours", "projet", STATE_UNKNOWN, STATE_EMPTY]


def test_keyboard_neighbours(layout: MosaicLayout) -> None:
    first, last = layout.cells[0].service_id, layout.cells[-1].service_id
    assert layout.neighbour(first, "left") == first and layout.neighbour(last, "right") == last
    assert layout.neighbour("identite-01", "right") == "identite-02"
    assert layout.neighbour("identite-11", "right") == "vie-associative-01"  # reading order goes on
    assert layout.neighbour("identite-03", "down") == "vie-associative-03"  # same column, next row
    assert layout.neighbour("vie-associative-03", "up") == "identite-03"
    assert layout.neighbour("identite-01", "up") == "identite-01"
    # Down from the last sub-theme of the top-left theme goes to the theme below, not to the right.
    last_democratie = layout.blocks[3].subtheme_id
    start = next(c for c in layout.cells if c.subtheme_id == last_democratie).service_id
    assert layout.cell(layout.neighbour(start, "down")).theme_id == "connaissances"
    assert layout.neighbour("emploi-05", "home") == first and layout.neighbour(first, "end") == last


def test_palette_is_ordered_in_lightness_readable_and_never_colour_alone(
    edition: Edition, layout: MosaicLayout
) -> None:
    # Lightness falls as the level rises: the order survives any colour blindness and greyscale print.
    assert relative_luminance(PROJET) > relative_luminance(EN_COURS) > relative_luminance(REALISE)
    marks = {(e.mark.kind, e.mark.count, e.is_new) for e in layout.legend}
    assert len(marks) == len(layout.legend)  # every state has its own mark, not only its colour
    for e in layout.legend:
        ink = e.ink
        lo, hi = sorted((relative_luminance(e.fill), relative_luminance(ink)))
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (e.key, e.fill, ink)
        assert ink == ink_for(e.fill)
    assert not mark_shapes(layout.cells[0].rect, Mark(), "#000000", False)


def _edition_file(folder: Path, edition_id: str, edit: Any) -> None:
    data = json.loads((builtin_directory() / "2019.json").read_text(encoding="utf-8"))
    data["edition"] = edition_id
    edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{edition_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_evolution_marks_services_newly_covered_since_the_previous_edition(tmp_path: Path, edition: Edition) -> None:
    def renamed(data: dict[str, Any]) -> None:  # identite-01 gets a new id, same wording re-typed
        service = data["themes"][0]["subthemes"][0]["services"][0]
        assert service["id"] == "identite-01"
        service["id"] = "identite-securite"
        service["label"] = "  " + service["label"].upper() + " "

    _edition_file(tmp_path, "2020", renamed)
    new_edition = EditionCatalog([tmp_path, builtin_directory()]).get("2020")
    previous = complete_dossier(
        edition, 0, actions=(action(edition, 0, services=("identite-01", "mediation-05", "culture-02")),)
    )
    current = replace(
        known_dossier(edition),
        edition="2020",
        actions=tuple(
            a.updated(services=tuple("identite-securite" if s == "identite-01" else s for s in a.services))
            for a in known_dossier(edition).actions
        ),
    )
    layout = compute_layout(new_edition, current, previous, edition)
    new = {c.service_id for c in layout.cells if c.is_new}
    assert new == {"identite-02", "culture-01", "emploi-03", "attractivite-07"}  # not the renamed identite-01
    assert layout.new_count == 4 and layout.previous_edition_id == "2019"
    assert layout.quadrant("democratie").new == 1 and layout.block("culture").new == 1
    assert "6 services couverts sur 138 — 4 nouveaux depuis l'édition 2019" in [t.text for t in layout.texts]
    assert layout.legend[-1].key == "nouveau" and layout.legend[-1].is_new
    assert layout.cell("emploi-03").tooltip.endswith("Nouveau depuis l'édition 2019.")
    corner = [s for s in layout.cell("emploi-03").shapes if s.kind == "polygon"]
    assert len(corner) == 1 and corner[0].color == NEW_MARK
    # Without the previous edition's file, services are matched by id only.
    by_id = compute_layout(new_edition, current, previous, None)
    assert {c.service_id for c in by_id.cells if c.is_new} == new | {"identite-securite"}


def test_an_empty_dossier_and_an_unnamed_collectivity(edition: Edition) -> None:
    layout = compute_layout(edition, DossierData(edition=edition.id))
    assert layout.covered == 0 and all(c.state_key == STATE_EMPTY for c in layout.cells)
    assert layout.title == "Mosaïque des enjeux"
    assert {q.figure for q in layout.quadrants} == {"0 / 38", "0 / 31", "0 / 34", "0 / 35"}
