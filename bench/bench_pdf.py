"""Measure the printed dossier against plain reportlab laying out the same text.

    .venv/bin/python bench/bench_pdf.py [--actions 300] [--repeat 3] [--keep FILE.pdf]

Builds a generated dossier (every field of every action filled with realistic French text), times
``app.pdf.build_pdf`` on it, then times a minimal reportlab document (``SimpleDocTemplate``, the same
embedded fonts, one paragraph per text field, no cover, table of contents, mosaïque, tables, links,
footers or page numbers) and prints both medians and their ratio. No thresholds here: the figure goes
in README (aim: the dossier costs no more than 1.5× the plain layout).
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
from app.model import ActionData, Address, DossierData
from app.pdf import PdfSource, build_pdf
from tests.factories import commune_profile

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


def plain_reportlab(dossier: DossierData) -> int:
    """The same text, laid out the simplest way reportlab allows: the reference cost."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from app.pdf.fonts import register_fonts
    from app.pdf.text import escape

    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13)
    head = ParagraphStyle("head", parent=body, fontName=fonts.bold, fontSize=13, leading=17)
    story = []
    for a in dossier.actions:
        story.append(Paragraph(escape(a.title), head))
        for value in (a.synthesis, a.results, a.tools, a.partners, a.web_link):
            for block in value.split("\n\n"):
                story.append(Paragraph(escape(block), body))
        for ad in a.addresses:
            story.append(Paragraph(escape(f"{ad.label} — {ad.street}, {ad.postal_code} {ad.city}"), body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf)
    doc.build(story)
    return doc.page


def median_time(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actions", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="also write the dossier's PDF to this file")
    args = ap.parse_args()
    edition = EditionCatalog().get("2019")
    dossier = generated_dossier(edition, args.actions)
    today = date(2026, 11, 23)
    source = PdfSource(edition, dossier, today, problems=tuple(check_dossier(edition, dossier, today)))
    chars = sum(
        len(a.title) + len(a.synthesis) + len(a.results) + len(a.tools) + len(a.partners) for a in dossier.actions
    )
    plain_reportlab(dossier)  # warm up: fonts registered, modules imported
    build_pdf(source, io.BytesIO())
    t_plain, plain_pages = median_time(lambda: plain_reportlab(dossier), args.repeat)
    t_pdf, report = median_time(lambda: build_pdf(source, io.BytesIO()), args.repeat)
    if args.keep:
        build_pdf(source, args.keep)
    print(f"dossier: {args.actions} actions, {chars:,} characters of text".replace(",", " "))
    print(f"plain reportlab layout : {t_plain * 1000:8.0f} ms  ({plain_pages} pages)")
    print(f"Arobase dossier PDF    : {t_pdf * 1000:8.0f} ms  ({report.pages} pages)")  # type: ignore[attr-defined]
    print(f"ratio dossier / plain  : {t_pdf / t_plain:8.2f}")


if __name__ == "__main__":
    main()
