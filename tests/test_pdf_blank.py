"""The blank questionnaire: built from an edition alone, read back with pypdf; the CLI in a subprocess."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.edition import Edition, EditionCatalog
from app.pdf import PdfCancelled, PdfReport, blank_filename, blank_source, build_blank_pdf
from tests.conftest import run_cli
from tests.test_pdf import PAGE_RE, embedded_fonts, flat, outline, page_texts

BOX, TICKED = "\u2610", "\u2612"
NOW = datetime(2026, 11, 30, 23, 30)  # UTC: 1 December in Paris


@pytest.fixture(scope="module")
def edition_2019() -> Edition:
    return EditionCatalog().get("2019")


@pytest.fixture(scope="module")
def blank(edition_2019: Edition, tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReport, PdfReader]:
    path = tmp_path_factory.mktemp("vierge") / blank_filename(edition_2019)
    report = build_blank_pdf(blank_source(edition_2019, NOW), path)
    return report, PdfReader(path)


def test_every_question_service_and_criterion_is_printed_with_its_boxes(
    blank: tuple[PdfReport, PdfReader], edition_2019: Edition
) -> None:
    report, reader = blank
    text = flat(" ".join(page_texts(reader)))
    for sub in edition_2019.subthemes:
        assert flat(sub.title) in text and flat(sub.question) in text
    for sv in edition_2019.services:
        assert flat(sv.label) in text, sv.id
    for i, crit in enumerate(edition_2019.epci_criteria, start=1):
        assert f"{i}. {flat(crit.label)}" in text
    levels = len(edition_2019.levels)
    # A box per service, one per level of each service, oui / non per criterion, two kinds on the cover.
    n_services, n_criteria = len(edition_2019.services), len(edition_2019.epci_criteria)
    assert text.count(BOX) >= n_services * (1 + levels) + 2 * n_criteria + 2
    assert text.count(TICKED) == 1  # the example on the "comment remplir" page
    assert text.count("Action :") >= n_services and text.count("Précisions :") == n_criteria
    assert "Comment remplir ce questionnaire" in text
    assert report.path is not None and report.revision == 0 and report.sha256 is None and not report.draft


def test_pages_are_numbered_and_carry_the_edition(blank: tuple[PdfReport, PdfReader]) -> None:
    report, reader = blank
    assert 15 <= report.pages == len(reader.pages) <= 60
    for n, page in enumerate(page_texts(reader), start=1):
        m = PAGE_RE.search(page)
        assert m is not None and (int(m[1]), int(m[2])) == (n, report.pages)
        assert "Questionnaire vierge · édition 2019" in flat(page)
        assert "Imprimé le 01/12/2026" in flat(page)  # Paris date of a 23:30 UTC clock
    cover = flat(reader.pages[0].extract_text())
    assert "Questionnaire vierge" in cover and "Document établi le 1er décembre 2026" in cover
    assert "138 services, 14 critères intercommunaux" in cover


def test_outline_contents_fonts_and_metadata(blank: tuple[PdfReport, PdfReader], edition_2019: Edition) -> None:
    report, reader = blank
    titles = [t for _lvl, t in outline(reader)]
    assert titles[:3] == ["Page de garde", "Sommaire", "Comment remplir"]
    assert [t for lvl, t in outline(reader) if lvl == 0][3:-1] == [th.title for th in edition_2019.themes]
    assert [t for lvl, t in outline(reader) if lvl == 1] == [sub.title for sub in edition_2019.subthemes]
    assert titles[-1] == "Critères intercommunaux"
    assert report.outline == tuple(outline(reader))
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts  # only our embedded DejaVu faces
    assert reader.metadata.title == "Questionnaire vierge — édition 2019"


def test_to_a_stream_with_progress_and_cancel(edition_2019: Edition, tmp_path: Path) -> None:
    seen: list[int] = []
    buffer = io.BytesIO()
    report = build_blank_pdf(blank_source(edition_2019, NOW), buffer, progress=lambda done, _t: seen.append(done))
    assert buffer.getvalue().startswith(b"%PDF") and report.path is None
    assert seen[0] == 0 and seen[-1] == 1000 and seen == sorted(seen)
    target = tmp_path / "annule.pdf"
    calls = iter(range(1000))
    with pytest.raises(PdfCancelled):
        build_blank_pdf(blank_source(edition_2019, NOW), target, cancelled=lambda: next(calls) > 20)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------- command line


def test_cli_blank_needs_no_store(tmp_path: Path) -> None:
    db, out = tmp_path / "jamais" / "creee.sqlite", tmp_path / "vierge.pdf"
    done = run_cli("--db", str(db), "pdf", "--vierge", "--out", str(out))
    assert done.returncode == 0, done.stderr
    pages = len(PdfReader(out).pages)
    assert done.stdout.strip() == f"Questionnaire vierge de l'édition 2019 écrit dans {out} : {pages} pages."
    assert not db.parent.exists()  # the store was never opened, nor created
    empty = tmp_path / "vide.sqlite"
    assert run_cli("--db", str(empty), "status").returncode == 0  # a new, empty store file
    done = run_cli("--db", str(empty), "pdf", "--vierge", "--edition", "2019", "--out", "-", binary=True)
    assert done.returncode == 0 and "sur la sortie standard" in done.stderr.decode("utf-8")
    assert len(PdfReader(io.BytesIO(done.stdout)).pages) == pages


def test_cli_pdf_of_a_file_without_dossier_points_to_the_blank_questionnaire(tmp_path: Path) -> None:
    db, out = tmp_path / "vide.sqlite", tmp_path / "x.pdf"
    done = run_cli("--db", str(db), "pdf", "--out", str(out))
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.strip() == (
        "arobase : ce fichier ne contient pas de dossier pour l'édition 2019. Pour imprimer le questionnaire "
        f"vierge, à remplir à la main : arobase pdf --vierge --out {out}"
    )


def test_cli_blank_errors_are_french_sentences(tmp_path: Path) -> None:
    done = run_cli("pdf", "--vierge", "--edition", "1999", "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "arobase : L'édition « 1999 » du questionnaire est inconnue (éditions disponibles : 2019)."
    )
    done = run_cli("pdf", "--vierge", "--out", str(tmp_path))  # a folder, not a file
    assert done.returncode == 2 and "c'est un dossier, pas un fichier" in done.stderr
    done = run_cli("pdf", "--vierge", "--out", str(tmp_path / "absent" / "x.pdf"))
    assert done.returncode == 2 and "n'existe pas" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_a_page_that_goes_on_with_a_sub_theme_names_it(
    blank: tuple[PdfReport, PdfReader], edition_2019: Edition
) -> None:
    _report, reader = blank
    texts = [flat(t) for t in page_texts(reader)]
    first = edition_2019.themes[0].subthemes[0]
    assert f"{flat(first.title)} (suite)" in texts[4]  # its 11 services go on from page 4 to page 5
    assert sum("(suite)" in t for t in texts) >= 8
    theme_pages = [reader.get_destination_page_number(d) for d in reader.outline if not isinstance(d, list)]
    for page in theme_pages:  # a page that begins with a heading goes on with nothing
        assert "(suite)" not in texts[page]


def test_every_box_is_printed_large_enough_to_tick(blank: tuple[PdfReport, PdfReader]) -> None:
    _report, reader = blank
    sizes: list[float] = []

    def visit(text: str, _cm: object, tm: list[float], _font: object, size: float) -> None:
        if BOX in text or TICKED in text:
            sizes.append(size * tm[0])

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert len(sizes) > 100 and min(sizes) >= 9  # an invisible (size 0) or tiny box would not do
