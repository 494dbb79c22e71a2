"""The ``arobase`` commands that draw: the mosaïque (PNG, SVG) and the PDF to print (dossier, blank questionnaire)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli_common import EXIT_OK, Command, catalog, edition_id_of, fail, open_workspace, pinned_keys
from app.formats import plural


def add_parsers(sub: Any, common: argparse.ArgumentParser, edition: argparse.ArgumentParser) -> None:
    sp = sub.add_parser("mosaique", parents=[common, edition], help="dessiner la mosaïque des enjeux (PNG ou SVG)")
    sp.add_argument("--out", metavar="FICHIER", required=True, help="image à écrire : .png ou .svg")
    sp.add_argument("--width", metavar="PX", help="largeur de l'image en pixels (PNG : 2000 par défaut)")
    sp.add_argument(
        "--evolution",
        action="store_true",
        help="marquer les services nouvellement couverts depuis l'édition précédente",
    )

    sp = sub.add_parser(
        "pdf",
        parents=[common, edition],
        help="écrire le dossier à imprimer et à signer, ou le questionnaire vierge (PDF)",
    )
    sp.add_argument("--out", metavar="FICHIER", required=True, help="fichier .pdf à écrire (- pour la sortie standard)")
    sp.add_argument(
        "--vierge",
        action="store_true",
        help="le questionnaire vierge de l'édition, à remplir à la main (sans base ni dossier ; "
        "par défaut l'édition la plus récente)",
    )


def cmd_mosaique(args: argparse.Namespace, path: Path) -> int:
    """Write the mosaïque as PNG (reportlab) or SVG (pure Python), from the same layout as the window."""
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".png", ".svg"):
        return fail(
            f"extension « {out.suffix or '(aucune)'} » non prise en charge pour {out.name} : choisissez .png ou .svg."
        )
    width: int | None = None
    if args.width is not None:
        if not args.width.isdigit() or not 16 <= int(args.width) <= 20000:
            return fail(f"largeur « {args.width} » invalide : un nombre de pixels entre 16 et 20000.")
        width = int(args.width)
    if not out.parent.is_dir():
        return fail(f"le dossier {out.parent} n'existe pas.")
    from app.mosaic_layout import compute_layout

    with open_workspace(path) as ws:
        edition_id = edition_id_of(ws, args)
        edition = ws.edition(edition_id)
        dossier = ws.load(edition_id)
        previous = previous_edition = None
        if args.evolution:
            earlier = [s.edition for s in ws.dossier_summaries() if s.edition < edition_id]
            if not earlier:
                return fail(f"aucun dossier d'une édition antérieure à {edition_id} : pas d'évolution à montrer.")
            previous = ws.load(max(earlier))
            if max(earlier) in ws.catalog.ids():  # an edition file since removed: services matched by id
                previous_edition = ws.edition(max(earlier))
    layout = compute_layout(edition, dossier, previous, previous_edition)
    try:
        if kind == ".svg":
            from app.mosaic_svg import write_svg

            write_svg(layout, out, width)
        else:
            from app.mosaic_reportlab import write_png

            (args.png_writer or write_png)(layout, out, width or 2000)
    except OSError as exc:
        return fail(f"impossible d'écrire {out} : {exc.strerror or exc}.")
    print(f"Mosaïque {edition_id} écrite dans {out} : {plural(layout.covered, 'service couvert')} sur {layout.total}.")
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace, path: Path) -> int:
    """Write the printable dossier; a validated dossier is printed from its frozen snapshot."""
    from app.pdf import build_pdf, source_from_workspace

    to_stdout = args.out == "-"
    out = Path(args.out)
    if not to_stdout and not out.parent.is_dir():
        return fail(f"le dossier {out.parent} n'existe pas.")
    if args.vierge:
        return _blank_pdf(args, out, to_stdout)
    with open_workspace(path) as ws:
        edition_id = edition_id_of(ws, args)
        if not ws.has_dossier(edition_id):
            return fail(
                f"ce fichier ne contient pas de dossier pour l'édition {edition_id}. Pour imprimer le "
                f"questionnaire vierge, à remplir à la main : arobase pdf --vierge --out {args.out}"
            )
        source = source_from_workspace(ws, edition_id, keys=pinned_keys())
    report = _write(build_pdf, source, out, to_stdout)
    if report.draft:
        state = f"brouillon, révision {report.revision}"
    else:
        state = f"révision {report.revision}, empreinte SHA-256 {(report.sha256 or '')[:12]}"
    where = "sur la sortie standard" if to_stdout else f"dans {out}"
    message = f"Dossier {edition_id} écrit {where} : {plural(report.pages, 'page')} ({state})."
    if report.replaced:
        message += (
            f"\n{plural(len(report.replaced), 'caractère absent', 'caractères absents')} des polices, "
            f"{'imprimés' if len(report.replaced) > 1 else 'imprimé'} sous la forme [U+…] "
            "(voir la note en fin de document)."
        )
    print(message, file=sys.stderr if to_stdout else sys.stdout)
    return EXIT_OK


def _blank_pdf(args: argparse.Namespace, out: Path, to_stdout: bool) -> int:
    """``pdf --vierge``: the edition's blank questionnaire; the store is never opened (nor created)."""
    from datetime import UTC, datetime

    from app.pdf import blank_source, build_blank_pdf

    editions = catalog()
    edition = editions.get(args.edition or editions.latest_id())
    source = blank_source(edition, datetime.now(UTC).replace(tzinfo=None))
    report = _write(build_blank_pdf, source, out, to_stdout)
    where = "sur la sortie standard" if to_stdout else f"dans {out}"
    print(
        f"Questionnaire vierge de l'édition {edition.id} écrit {where} : {report.pages} pages.",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return EXIT_OK


def _write(build: Callable[[Any, Any], Any], source: Any, out: Path, to_stdout: bool) -> Any:
    """Build a PDF into ``out``, or into standard output's bytes (``-``), and return its report."""
    if not to_stdout:
        return build(source, out)
    sys.stdout.flush()  # what was printed before stays before the PDF's bytes
    report = build(source, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return report


COMMANDS: dict[str, Command] = {"mosaique": cmd_mosaique, "pdf": cmd_pdf}
