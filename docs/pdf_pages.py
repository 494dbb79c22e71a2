"""Turn the first pages of a printed dossier into PNG images, to look at the layout without a PDF viewer.

    .venv/bin/python docs/pdf_pages.py                       # the example dossier (draft, validated), the
                                                             # blank questionnaire
    .venv/bin/python docs/pdf_pages.py dossier.pdf --pages 6  # any PDF
    .venv/bin/python docs/pdf_pages.py --out /tmp/pages --dpi 110

Writes ``<name>-01.png``, ``<name>-02.png``… in ``--out`` (default ``docs/screenshots/pdf``) with
``pdftoppm`` (Debian/Ubuntu: ``apt-get install poppler-utils``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def to_png(pdf: Path, out: Path, pages: int, dpi: int) -> list[Path]:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise SystemExit("pdftoppm est introuvable : installez poppler-utils (apt-get install poppler-utils).")
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / pdf.stem
    subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(prefix)], check=True)
    return sorted(out.glob(f"{pdf.stem}-*.png"))


def example_pdfs(folder: Path) -> list[Path]:
    """The example dossier printed twice (as a draft, then validated: hash in every footer), and the blank
    questionnaire of its edition."""
    from app.edition import EditionCatalog
    from app.pdf import blank_source, build_blank_pdf, build_pdf, source_from_workspace
    from app.workspace import Workspace

    example = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"
    with Workspace.open(folder / "exemple.sqlite", EditionCatalog()) as ws:
        ws.import_document(json.loads(example.read_text(encoding="utf-8")))
        draft = folder / "dossier-exemple-brouillon.pdf"
        build_pdf(source_from_workspace(ws, "2019"), draft)
        ws.validate("2019")
        validated = folder / "dossier-exemple-valide.pdf"
        build_pdf(source_from_workspace(ws, "2019"), validated)
        blank = folder / "questionnaire-vierge-2019.pdf"
        build_blank_pdf(blank_source(ws.edition("2019"), ws.clock()), blank)
    return [draft, validated, blank]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdf", nargs="?", type=Path, help="PDF to show (default: the example dossier)")
    ap.add_argument("--pages", type=int, default=4, help="how many first pages (default 4)")
    ap.add_argument("--dpi", type=int, default=80, help="resolution of the images (default 80)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "pdf", help="folder for the PNGs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = [args.pdf] if args.pdf else example_pdfs(Path(tmp))
        for pdf in pdfs:
            for png in to_png(pdf, args.out, args.pages, args.dpi):
                print(png)


if __name__ == "__main__":
    main()
