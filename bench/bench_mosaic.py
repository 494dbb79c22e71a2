"""Time the mosaïque: layout computation, SVG writing and the reportlab drawing, for the example dossier
and for a 2,000-action dossier.

    .venv/bin/python bench/bench_mosaic.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.edition import EditionCatalog
from app.interchange import from_document, read_document
from app.mosaic_layout import compute_layout
from app.mosaic_reportlab import build_drawing
from app.mosaic_svg import to_svg
from tests.factories import complete_dossier

EXAMPLE = Path(__file__).resolve().parents[1] / "resources" / "exemples" / "dossier-exemple-2019.json"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    edition = EditionCatalog().get("2019")
    for name, dossier in (
        ("dossier d'exemple (8 actions)", from_document(read_document(EXAMPLE), edition)),
        ("dossier de 2 000 actions", complete_dossier(edition, 2000)),
    ):
        layout = compute_layout(edition, dossier)
        print(f"{name} : {layout.covered} / {layout.total} services couverts")
        print(f"  compute_layout   : {median_ms(lambda d=dossier: compute_layout(edition, d), args.repeat):7.2f} ms")
        print(f"  SVG              : {median_ms(lambda lay=layout: to_svg(lay), args.repeat):7.2f} ms")
        print(f"  dessin reportlab : {median_ms(lambda lay=layout: build_drawing(lay, 500.0), args.repeat):7.2f} ms")


if __name__ == "__main__":
    main()
