"""Measure the printed dossier against plain reportlab laying out the same text.

    .venv/bin/python bench/bench_pdf.py [--actions 300] [--repeat 3] [--keep FILE.pdf]

Builds a generated dossier (every field of every action filled with realistic French text), times
``app.pdf.build_pdf`` on it, then times plain reportlab laying out **the text that PDF prints**: the
text is read back from our PDF with pypdf (before any timing), page by page, running heads and footers
included, and laid out with ``SimpleDocTemplate`` in the same embedded DejaVu font, six printed lines to a
paragraph, with a page number drawn on every page; no cover drawing, table of contents, mosaïque,
tables, links, bookmarks or "page N / M" forms. The earlier reference laid out the action fields only
(628,000 characters for our 964,000: the service wordings, labels, themes, annexes and running heads
were missing) and so overstated our cost: it is still timed and printed, for comparison with earlier
figures. The three are timed side by side (interleaved) and their medians and ratios printed; no
thresholds here (aim: the dossier costs no more than 1.2× the plain layout of its text).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.checks import check_dossier
from app.edition import Edition, EditionCatalog
from app.formats import thousands
from app.model import ActionData, Address, DossierData
from app.pdf import PdfSource, build_pdf
from bench.table import Row, number
from tests.factories import commune_profile

TARGET = 1.2
STALL_TARGET_MS = 50

WORDS_TEXT = (
    "atelier numérique habitants médiathèque démarches en ligne accompagnement conseillère France Services "
    "portail famille cantine garderie paiement sécurisé école tablettes wifi public retraités association "
    "inclusion formation mairie site internet accessible téléphone délibération conseil municipal vidéo "
    "direct compte rendu données ouvertes open data cartographie SIG réseau fibre optique collège jeunes "
    "emploi entreprises tiers-lieu coworking télétravail réemploi ordinateurs reconditionnés écoles "
    "partenaires syndicat mixte département région intercommunalité bénévoles élus agents secrétaire "
    "citoyens participation budget participatif consultation questionnaire enquête satisfaction usagers "
    "signalement voirie application mobile alerte SMS crue tempête sécurité civile patrimoine archives "
    "numérisation photographies anciennes exposition virtuelle tourisme sentiers randonnée QR codes"
)
WORDS = WORDS_TEXT.split()


def sentence(rng: random.Random, n_words: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n_words)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice((".", ".", ".", " ; ", " : ", " !")).rstrip() + " "


def text(rng: random.Random, n_sentences: int) -> str:
    paragraphs = []
    for _ in range(max(1, n_sentences // 4)):
        paragraphs.append("".join(sentence(rng, rng.randint(8, 22)) for _ in range(4)).strip())
    return "\n\n".join(paragraphs)


def generated_dossier(edition: Edition, n_actions: int, seed: int = 2019) -> DossierData:
    rng = random.Random(seed)
    services = [s.id for s in edition.services]
    levels = [lv.id for lv in edition.levels]
    actions = []
    today = date(2026, 11, 23)
    for i in range(n_actions):
        # Coherent with the label's rules, as a dossier ready to print: few projects, finished actions
        # ended less than two years ago (so the annex of open problems stays short).
        level = rng.choices(levels, weights=(1, 5, 4))[0] if len(levels) == 3 else rng.choice(levels)
        start = today - timedelta(days=rng.randint(200, 1500))
        end = today - timedelta(days=rng.randint(10, 600)) if level == levels[-1] else None
        if end is not None and end < start:
            start, end = end - timedelta(days=rng.randint(30, 400)), end
        actions.append(
            ActionData(
                uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                title=sentence(rng, rng.randint(4, 10)).strip(" .;:!"),
                synthesis=text(rng, rng.randint(6, 14)),
                level=level,
                results=text(rng, rng.randint(2, 6)),
                tools=sentence(rng, rng.randint(6, 18)).strip(),
                partners=sentence(rng, rng.randint(4, 12)).strip(),
                delivered_by=rng.choice(("collectivite", "association", "delegataire")),
                start_date=start,
                end_date=end,
                web_link=f"https://www.commune-exemple.fr/actions/{i}-{rng.choice(WORDS)}",
                services=tuple(sorted(set(rng.sample(services, rng.randint(1, 4))), key=services.index)),
                addresses=tuple(
                    Address(f"Lieu {k + 1}", f"{rng.randint(1, 80)} rue des Écoles", "35500", "Saint-Aubin-des-Landes")
                    for k in range(rng.randint(1, 3))
                ),
            )
        )
    return DossierData(edition=edition.id, profile=commune_profile(), actions=tuple(actions))


def printed_blocks(pdf: bytes) -> list[tuple[bool, str]]:
    """The text our PDF prints, read back page by page, in blocks of ``BLOCK_LINES`` lines: the reference's text."""
    from pypdf import PdfReader

    blocks = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        blocks += [(False, "\n".join(lines[i : i + BLOCK_LINES])) for i in range(0, len(lines), BLOCK_LINES)]
    return blocks


# Six printed lines make one paragraph of the reference, about the size of the dossier's own paragraphs.
# One paragraph per printed item (each label, service, heading) would cost reportlab 2.5 times more and
# flatter us; fewer, longer paragraphs cost it more to split across pages.
BLOCK_LINES = 6


def plain_reportlab(blocks: list[tuple[bool, str]]) -> int:
    """The same text, laid out the simplest way reportlab allows (with a page number): the reference cost."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from app.pdf.fonts import register_fonts
    from app.pdf.text import escape

    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13)
    head = ParagraphStyle("head", parent=body, fontName=fonts.bold, fontSize=10, leading=14)
    story = [Paragraph(escape(text), head if heading else body) for heading, text in blocks]

    def page_number(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont(fonts.regular, 7.5)
        canvas.drawRightString(doc.pagesize[0] - 2 * 28.35, 1.2 * 28.35, f"page {doc.page}")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf)
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return doc.page


def _source(n_actions: int) -> PdfSource:
    edition = EditionCatalog().get("2019")
    dossier = generated_dossier(edition, n_actions)
    today = date(2026, 11, 23)
    return PdfSource(edition, dossier, today, problems=tuple(check_dossier(edition, dossier, today)))


def measure(n_actions: int, repeat: int, keep: Path | None = None) -> dict[str, float]:
    """Median seconds of our PDF, of the plain layout of its text and of the action fields alone (interleaved)."""
    source = _source(n_actions)
    first = io.BytesIO()
    build_pdf(source, first)  # warm up: fonts registered, modules imported
    printed = printed_blocks(first.getvalue())
    fields = field_blocks(source.dossier)
    plain_reportlab(printed)
    times: dict[str, list[float]] = {"ours": [], "plain": [], "fields": []}
    runs = {
        "plain": lambda: plain_reportlab(printed),
        "fields": lambda: plain_reportlab(fields),
        "ours": lambda: build_pdf(source, io.BytesIO()),
    }
    out: dict[str, object] = {}
    for _ in range(repeat):  # side by side: a busy moment of the machine weighs on all three
        for key, run in runs.items():
            t0 = time.perf_counter()
            out[key] = run()
            times[key].append(time.perf_counter() - t0)
    if keep:
        build_pdf(source, keep)
    return {
        **{key: statistics.median(ts) for key, ts in times.items()},
        "pages": out["ours"].pages,  # type: ignore[attr-defined]
        "plain_pages": out["plain"],  # type: ignore[dict-item]
        "chars": sum(len(text) for _, text in printed),
        "fields_chars": sum(len(text) for _, text in fields),
    }


def field_blocks(dossier: DossierData) -> list[tuple[bool, str]]:
    """The earlier reference's text: each action's title (as a heading), text fields and addresses, no more."""
    out = []
    for a in dossier.actions:
        out.append((True, a.title))
        for value in (a.synthesis, a.results, a.tools, a.partners, a.web_link):
            out += [(False, block) for block in value.split("\n\n")]
        out += [(False, f"{ad.label} — {ad.street}, {ad.postal_code} {ad.city}") for ad in a.addresses]
    return out


def stall_while_building(n_actions: int, repeat: int = 3) -> float:
    """The longest event-loop stall (ms) while the window builds the PDF off the GUI thread (offscreen Qt):
    the median over ``repeat`` builds of each build's worst stall (one busy moment of a shared machine, or
    one full garbage collection, is not the figure)."""
    from bench.bench_ui_typing import stall_off_the_gui_thread

    source = _source(n_actions)
    stalls = []
    for _ in range(repeat):
        _report, stall = stall_off_the_gui_thread(lambda relay: build_pdf(source, io.BytesIO(), progress=relay))
        stalls.append(stall)
    return statistics.median(stalls)


def rows(quick: bool = False) -> list[Row]:
    """The PDF rows of ``make bench`` (``quick``: 20 actions, built once)."""
    n = 20 if quick else 300
    m = measure(n, 1 if quick else 5)
    builds = 1 if quick else 3
    stall = stall_while_building(n, builds)
    what = f"PDF du dossier, {thousands(n)} actions ({m['pages']:.0f} pages)"
    ours = f"{m['ours'] * 1000:.0f} ms"
    return [
        Row("pdf", f"{what} vs reportlab nu, même texte imprimé ({thousands(round(m['chars']))} caractères)",
            ours, f"{m['plain'] * 1000:.0f} ms", m["ours"] / m["plain"], TARGET),
        Row("pdf-fields", f"{what} vs reportlab nu, champs des actions seuls (ancienne référence : "
            f"{thousands(round(m['fields_chars']))} caractères)", ours, f"{m['fields'] * 1000:.0f} ms",
            m["ours"] / m["fields"], TARGET),
        Row("stall-pdf", f"{what} construit hors du fil de l'interface : pire blocage de la boucle d'événements "
            f"(médiane de {builds} constructions) vs budget", f"{number(stall, 1)} ms", f"{STALL_TARGET_MS} ms",
            stall / STALL_TARGET_MS, 1.0),
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actions", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="also write the dossier's PDF to this file")
    args = ap.parse_args()
    m = measure(args.actions, args.repeat, args.keep)
    print(f"dossier: {args.actions} actions, {m['chars']:,.0f} characters printed".replace(",", " "))
    print(f"plain reportlab layout : {m['plain'] * 1000:8.0f} ms  ({m['plain_pages']:.0f} pages, same text)")
    print(f"action fields only     : {m['fields'] * 1000:8.0f} ms  ({m['fields_chars']:,.0f} characters)")
    print(f"Arobase dossier PDF    : {m['ours'] * 1000:8.0f} ms  ({m['pages']:.0f} pages)")
    print(f"ratio dossier / plain  : {m['ours'] / m['plain']:8.2f}  (aim ≤ {TARGET})")
    print(f"ratio / fields only    : {m['ours'] / m['fields']:8.2f}")


if __name__ == "__main__":
    main()
