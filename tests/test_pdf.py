"""The printed dossier: PDFs generated from real data, then read back with pypdf.

Text extraction puts each page's header and footer (drawn first) before its content: ``bodies`` cuts
them off so that a line broken over two pages reads on, and comparisons normalise white space.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from app.checks import check_dossier
from app.edition import Edition, EditionCatalog
from app.interchange import from_document, to_document
from app.model import DossierData
from app.pdf import PdfCancelled, PdfReport, PdfSource, build_pdf, source_from_workspace, suggested_filename
from app.workspace import Workspace
from tests.conftest import ROOT, run_cli
from tests.factories import FIXED_NOW, action, commune_profile, complete_dossier, epci_answers

EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"
TODAY = FIXED_NOW.date()
PAGE_RE = re.compile(r"Page (\d+) /\s*(\d+)")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def bodies(reader: PdfReader) -> str:
    """The content of every page without its header and footer, in one normalised string."""
    out = []
    for text in page_texts(reader):
        m = PAGE_RE.search(text)
        assert m is not None, text[:300]
        out.append(text[m.end() :])
    return flat(" ".join(out))


def outline(reader: PdfReader) -> list[tuple[int, str]]:
    def walk(items: list, level: int) -> list[tuple[int, str]]:  # type: ignore[type-arg]
        out: list[tuple[int, str]] = []
        for item in items:
            if isinstance(item, list):
                out += walk(item, level + 1)
            else:
                assert isinstance(item, Destination)
                out.append((level, item.title))
        return out

    return walk(reader.outline, 0)


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font used by a page or a form: its name and whether its TrueType program is in the file."""
    fonts: dict[str, bool] = {}

    def visit(resources: object) -> None:
        resources = resources.get_object() if resources is not None else None  # type: ignore[union-attr]
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():  # type: ignore[union-attr]
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font.get("/BaseFont"))] = "/FontFile2" in descriptor
        for xobject in (resources.get("/XObject") or {}).values():  # type: ignore[union-attr]
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return fonts


def build(source: PdfSource, path: Path) -> tuple[PdfReport, PdfReader]:
    report = build_pdf(source, path)
    return report, PdfReader(path)


@pytest.fixture(scope="module")
def edition_2019() -> Edition:
    return EditionCatalog().get("2019")


@pytest.fixture(scope="module")
def example(edition_2019: Edition) -> DossierData:
    return from_document(json.loads(EXAMPLE.read_text(encoding="utf-8")), edition_2019)


@pytest.fixture(scope="module")
def example_pdf(
    edition_2019: Edition, example: DossierData, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PdfReport, PdfReader]:
    """The example dossier as a draft, with its problems: built once for the tests that only read it."""
    problems = tuple(check_dossier(edition_2019, example, TODAY))
    source = PdfSource(edition_2019, example, TODAY, problems=problems, departement_name="Finistère")
    return build(source, tmp_path_factory.mktemp("pdf") / "exemple.pdf")


# ---------------------------------------------------------------------- content


def test_every_service_and_every_action_title_is_printed(
    example_pdf: tuple[PdfReport, PdfReader], edition_2019: Edition, example: DossierData
) -> None:
    _report, reader = example_pdf
    text = bodies(reader)
    missing = [s.label for s in edition_2019.services if flat(s.label) not in text]
    assert not missing
    for a in example.actions:
        assert flat(a.title) in text
        assert flat(a.synthesis) in text
    for theme in edition_2019.themes:
        for sub in theme.subthemes:
            assert flat(sub.question) in text
    assert "Finistère (29)" in text
    assert "Landévran-Exemple" in text


def test_page_count_footer_and_outline_match_the_dossier(
    example_pdf: tuple[PdfReport, PdfReader], edition_2019: Edition, example: DossierData
) -> None:
    report, reader = example_pdf
    assert report.pages == len(reader.pages) > 10
    for n, text in enumerate(page_texts(reader), start=1):
        assert f"Page {n} / {report.pages}" in flat(text)
        assert "Landévran-Exemple · édition 2019" in flat(text)
        assert "Révision 1 · brouillon non validé" in flat(text)

    entries = outline(reader)
    assert entries == list(report.outline)
    themes = [(0, t.title) for t in edition_2019.themes]
    subthemes = [(1, st.title) for t in edition_2019.themes for st in t.subthemes]
    assert [e for e in entries if e in themes] == themes
    assert [e for e in entries if e in subthemes] == subthemes
    # each sub-theme sits under its theme
    for theme in edition_2019.themes:
        i = entries.index((0, theme.title))
        assert entries[i + 1 : i + 1 + len(theme.subthemes)] == [(1, st.title) for st in theme.subthemes]
    fiches = [title for level, title in entries if level == 1 and title[0].isdigit()]
    assert fiches == [f"{i}. {a.title}" for i, a in enumerate(example.actions, start=1)]
    top = [title for level, title in entries if level == 0]
    assert top[:3] == ["Page de garde", "Sommaire", "Synthèse"]
    assert top[-3:] == ["Fiches actions", "Validation du dossier", "Annexe : points à régler"]


def test_table_of_contents_gives_the_page_of_each_theme(
    example_pdf: tuple[PdfReport, PdfReader], edition_2019: Edition
) -> None:
    _report, reader = example_pdf
    texts = [flat(t) for t in page_texts(reader)]
    toc = texts[1]
    assert "Sommaire" in toc
    pages = {}
    for item in reader.outline:
        if isinstance(item, Destination):
            pages[item.title] = reader.get_destination_page_number(item) + 1
    for theme in edition_2019.themes:
        assert f"{theme.title} {pages[theme.title]}" in toc
        assert theme.title in texts[pages[theme.title] - 1]
    assert f"Fiches actions {pages['Fiches actions']}" in toc


def test_fonts_are_embedded_and_metadata_is_set(example_pdf: tuple[PdfReport, PdfReader]) -> None:
    _report, reader = example_pdf
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert {name.split("+")[-1] for name in fonts} == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Dossier de participation 2019 — Landévran-Exemple"
    assert meta.author == "Landévran-Exemple"
    assert "Territoires, Villes & Villages Internet" in (meta.subject or "")
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_a_draft_says_brouillon_on_every_page_and_lists_its_problems(
    example_pdf: tuple[PdfReport, PdfReader], edition_2019: Edition, example: DossierData
) -> None:
    report, reader = example_pdf
    assert report.draft and report.sha256 is None
    for text in page_texts(reader):
        assert "BROUILLON" in text
    problems = check_dossier(edition_2019, example, TODAY)
    assert problems
    text = bodies(reader)
    for p in problems:
        assert flat(p.message) in text


def test_a_validated_dossier_carries_its_snapshot_hash_on_every_page(
    ws: Workspace, edition: Edition, tmp_path: Path
) -> None:
    ws.import_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    snapshot = ws.validate("2019")
    source = source_from_workspace(ws, "2019")
    assert source.snapshot == snapshot and source.problems == ()
    assert suggested_filename(source) == "dossier-2019-29999-rev1.pdf"
    report, reader = build(source, tmp_path / "valide.pdf")
    assert not report.draft and report.sha256 == snapshot.sha256
    for n, text in enumerate(page_texts(reader), start=1):
        assert f"Révision 1 · empreinte SHA-256 {snapshot.sha256[:12]}" in flat(text)
        assert f"Page {n} / {report.pages}" in flat(text)
        assert "BROUILLON" not in text
    text = bodies(reader)
    assert snapshot.sha256 in text  # in full, on the cover and in the validation block
    assert "Annexe" not in [t for _lvl, t in outline(reader)]
    assert snapshot.sha256 in (reader.metadata.subject or "")


def test_a_validated_dossier_is_printed_from_its_snapshot(ws: Workspace, edition: Edition) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    ws.validate("2019")
    with ws.store.write() as s:  # the live rows drift from the frozen revision (it never happens through the app)
        from localdb import models as m

        s.query(m.Action).update({m.Action.title: "Titre modifié en douce"})
    source = source_from_workspace(ws, "2019")
    assert [a.title for a in source.dossier.actions] == ["Atelier numérique n° 1", "Atelier numérique n° 2"]


def test_epci_criteria_and_attachments(ws: Workspace, edition: Edition, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "atelier.jpg"
    Image.new("RGB", (1200, 900), (200, 80, 40)).save(photo)
    notes = tmp_path / "compte-rendu.odt"
    notes.write_bytes(b"x" * 2048)
    dossier = complete_dossier(
        edition,
        1,
        profile=commune_profile(kind="epci", code="200046977", name="CC du Val"),
        epci_answers=epci_answers(edition),
    )
    ws.import_document(to_document(dossier))
    uuid = ws.load("2019").actions[0].uuid
    ws.add_attachment("2019", uuid, photo)
    ws.add_attachment("2019", uuid, notes)
    source = source_from_workspace(ws, "2019")
    gone = replace(source, attachment_path=lambda sha: None)
    report, reader = build(source, tmp_path / "epci.pdf")
    assert "Critères intercommunaux" in [t for _lvl, t in report.outline]
    text = bodies(reader)
    for crit in edition.epci_criteria:
        assert flat(crit.label) in text
    assert "Précisions 3" in text
    from app.formats import file_size

    size = file_size(photo.stat().st_size)
    assert f"atelier.jpg — {size}" in text  # the caption of the thumbnail
    assert "compte-rendu.odt — 2 ko" in text
    images = [name for page in reader.pages for name in (page["/Resources"].get("/XObject") or {})]
    assert images, "the photo is drawn as a thumbnail"
    _r, reader2 = build(gone, tmp_path / "sans-fichiers.pdf")
    assert f"atelier.jpg — {size} — fichier absent de cet ordinateur" in bodies(reader2)


# ---------------------------------------------------------------------- hostile text

HOSTILE = (
    "<b>gras</b> non interprété",
    "&amp; &lt; &#65; restent écrits",
    "<para>balise de paragraphe</para>",
    "<font color='red'>balise jamais fermée",
    "fin de CDATA ]]> et <![CDATA[",
    '<a href="javascript:alert(1)">lien</a>',
    "« guillemets » œuvre æ € … l’apostrophe · point",
)


def test_hostile_text_is_printed_as_typed(edition: Edition, tmp_path: Path) -> None:
    long_word = "ŵ" * 100_000
    actions = [action(edition, i, title=h, synthesis=f"{h}\n\n{h}", partners=h) for i, h in enumerate(HOSTILE)]
    actions.append(
        action(
            edition,
            50,
            title="J'aime 👍 la médiathèque 😀",
            synthesis="Merci ❤️ à tous 🎉",
            tools="שלום עולם — مرحبا بالعالم",
            results="中文 et contrôle \x01 invisible",
        )
    )
    actions.append(
        action(
            edition,
            51,
            title="Texte très long",
            synthesis=long_word,
            results="https://exemple.fr/" + "dossier/" * 400,
            web_link='https://exemple.fr/?a=1&b=<2>&c="3"',
        )
    )
    dossier = complete_dossier(
        edition, 0, actions=tuple(actions), profile=commune_profile(name="Saint-<b>Ville</b> & 👍")
    )
    report, reader = build(PdfSource(edition, dossier, TODAY), tmp_path / "hostile.pdf")
    text = bodies(reader)
    for h in HOSTILE:
        assert flat(h) in text, h
    # emoji: replaced by a visible marker, and listed in the note at the end
    assert "J'aime [U+1F44D] la médiathèque [U+1F600]" in text
    assert "Merci ❤" in text and "[U+1F389]" in text
    assert "U+1F44D THUMBS UP SIGN" in report.replaced
    assert "Note sur les caractères" in [t for _lvl, t in report.outline]
    assert re.search(r"U\+1F44D THUMBS UP SIGN \(\d+ fois\)", text)  # the title, the name on every page…
    # right-to-left: kept, in logical order (extraction may give it back reversed)
    for word in ("שלום", "مرحبا"):
        assert word in text or word[::-1] in text
    assert "[U+4E2D][U+6587]" in text and "contrôle [U+0001] invisible" in text
    # 100,000 characters without a space: all there, over many pages
    assert "".join(page.extract_text() for page in reader.pages).count("ŵ") == 100_000
    assert report.pages > 30
    # markup in the collectivity's name reaches the footer and the metadata as typed
    assert "Saint-<b>Ville</b> & [U+1F44D] · édition 2019" in flat(reader.pages[3].extract_text())
    assert reader.metadata.author == "Saint-<b>Ville</b> & 👍"


def test_an_empty_dossier_prints(edition: Edition, tmp_path: Path) -> None:
    dossier = DossierData(edition="2019")
    report, reader = build(PdfSource(edition, dossier, TODAY), tmp_path / "vide.pdf")
    assert report.pages == len(reader.pages)
    assert "Le dossier ne contient aucune action." in bodies(reader)


# ---------------------------------------------------------------------- output, progress, cancel


def test_to_a_stream_and_progress(example: DossierData, edition_2019: Edition) -> None:
    seen: list[tuple[int, int]] = []
    buf = io.BytesIO()
    report = build_pdf(PdfSource(edition_2019, example, TODAY), buf, progress=lambda d, t: seen.append((d, t)))
    assert report.path is None and report.size == len(buf.getvalue())
    assert len(PdfReader(io.BytesIO(buf.getvalue())).pages) == report.pages
    done = [d for d, _t in seen]
    assert done == sorted(done) and done[0] == 0 and seen[-1][0] == seen[-1][1]


@pytest.mark.parametrize("after", [0, 40])
def test_cancel_raises_and_leaves_no_file(
    after: int, example: DossierData, edition_2019: Edition, tmp_path: Path
) -> None:
    polls = [0]

    def cancelled() -> bool:
        polls[0] += 1
        return polls[0] > after

    target = tmp_path / "annule.pdf"
    with pytest.raises(PdfCancelled) as info:
        build_pdf(PdfSource(edition_2019, example, TODAY), target, cancelled=cancelled)
    assert "annulée" in info.value.message
    assert list(tmp_path.iterdir()) == []
    buf = io.BytesIO()
    polls[0] = 0
    with pytest.raises(PdfCancelled):
        build_pdf(PdfSource(edition_2019, example, TODAY), buf, cancelled=cancelled)
    assert buf.getvalue() == b""


def test_a_failed_build_keeps_the_previous_file(example: DossierData, edition_2019: Edition, tmp_path: Path) -> None:
    target = tmp_path / "dossier.pdf"
    target.write_bytes(b"previous")
    with pytest.raises(PdfCancelled):
        build_pdf(PdfSource(edition_2019, example, TODAY), target, cancelled=lambda: True)
    assert target.read_bytes() == b"previous"


def test_reportlab_is_not_imported_with_the_app() -> None:
    code = (
        "import sys, app.workspace, app.cli, app.pdf, app.mosaic_layout; "
        "assert 'reportlab' not in sys.modules, sorted(m for m in sys.modules if 'reportlab' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------- command line


def test_cli_pdf(tmp_path: Path) -> None:
    db, out = tmp_path / "mairie.sqlite", tmp_path / "dossier.pdf"
    assert run_cli("--db", str(db), "import", str(EXAMPLE)).returncode == 0
    done = run_cli("pdf", "--db", str(db), "--out", str(out))
    assert done.returncode == 0, done.stderr
    reader = PdfReader(out)
    assert f"{len(reader.pages)} pages (brouillon, révision 1)" in done.stdout
    assert run_cli("--db", str(db), "validate").returncode == 0
    done = run_cli("--db", str(db), "pdf", "--edition", "2019", "--out", str(out))
    assert done.returncode == 0 and "empreinte SHA-256" in done.stdout
    assert "empreinte SHA-256" in PdfReader(out).pages[0].extract_text()


def test_cli_pdf_errors_are_french_sentences(tmp_path: Path) -> None:
    db = tmp_path / "vide.sqlite"
    done = run_cli("--db", str(db), "pdf", "--out", str(tmp_path / "x.pdf"))
    assert done.returncode == 2 and "ne contient pas de dossier pour l'édition" in done.stderr
    done = run_cli("--db", str(db), "pdf", "--out", str(tmp_path / "absent" / "x.pdf"))
    assert done.returncode == 2 and "n'existe pas" in done.stderr
    assert "Traceback" not in done.stderr


def test_today_is_printed_on_the_cover(example: DossierData, edition_2019: Edition, tmp_path: Path) -> None:
    _r, reader = build(PdfSource(edition_2019, example, date(2027, 3, 1)), tmp_path / "mars.pdf")
    assert "1er mars 2027" in flat(reader.pages[0].extract_text())
    assert "Imprimé le 01/03/2027" in flat(reader.pages[0].extract_text())


def test_dates_and_times_are_printed_in_local_time(store_path: Path, catalog: EditionCatalog, tmp_path: Path) -> None:
    late = datetime(2026, 11, 30, 23, 30)  # UTC (as the clock gives it): already 1 December, 00:30, in Paris
    ws = Workspace.open(store_path, catalog, clock=lambda: late)
    try:
        ws.import_document(to_document(complete_dossier(catalog.get("2019"), 1)))
        ws.validate("2019")
        paris = source_from_workspace(ws, "2019")
        utc = source_from_workspace(ws, "2019", tz=UTC)
    finally:
        ws.close()
    _r, reader = build(paris, tmp_path / "paris.pdf")
    cover = flat(reader.pages[0].extract_text())
    assert "Document établi le 1er décembre 2026" in cover
    assert "Validé le 01/12/2026 à 00:30" in cover and "UTC" not in cover
    assert "Imprimé le 01/12/2026" in flat(reader.pages[-1].extract_text())
    assert "Version validée le 01/12/2026 à 00:30" in bodies(reader)
    _r, reader = build(utc, tmp_path / "utc.pdf")  # the time zone is passed in, not global
    cover = flat(reader.pages[0].extract_text())
    assert "Validé le 30/11/2026 à 23:30" in cover and "Imprimé le 30/11/2026" in cover


def test_lines_never_break_at_a_no_break_space() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.pdf.fonts import register_fonts
    from app.pdf.lines import wrap_text

    font = register_fonts().regular
    text = "Une question\u00a0? Une réponse\u00a0: 1\u202f050 habitants"
    width = stringWidth("Une question", font, 10) + 2  # "question ?" does not fit: it moves down whole
    lines = wrap_text(text, font, 10, width)
    assert lines[:2] == ["Une", "question\u00a0?"] and "1\u202f050" in lines
    assert " ".join(lines) == text  # every character kept as typed, the no-break spaces too
