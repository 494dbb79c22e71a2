"""Measure the commune picker: time to load the packaged list, and per-query time as a user types.

    .venv/bin/python bench/bench_communes.py [--repeat 5]

The list is searched on every keystroke, so a query must stay far below a frame (10 ms); loading happens once,
on first use, and should stay well under a second. Prints figures only, no thresholds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.communes import CommuneIndex, fold


def typing_queries() -> list[str]:
    """About 200 queries a user would type: growing name prefixes, abbreviations, postal codes, SIRENs."""
    names = [
        "Rennes",
        "Saint-Aubin-du-Cormier",
        "L'Haÿ-les-Roses",
        "Sainte-Marie",
        "Bourg-Saint-Andéol",
        "Ajaccio",
        "Montreuil",
        "Le Havre",
        "Villeneuve-d'Ascq",
        "Les Abymes",
        "Mamoudzou",
        "Vitré",
        "Pont-à-Mousson",
        "Communauté de communes du Pays de Fayence",
        "CC du Pays de Pontchâteau",
        "Rennes Métropole",
    ]
    queries = []
    for name in names:
        folded = fold(name)
        queries += [folded[:n] for n in range(1, min(len(folded), 12) + 1)]
    queries += ["st aubin", "ste marie", "st etienne", "l'hay", "lhay", "aubin cormier", "saint aubin 35"]
    queries += ["35", "350", "3500", "35000", "75", "750", "7501", "75016", "2A", "2A00", "974", "9741", "97411"]
    queries += ["2435", "24350", "243500", "2435001", "243500139", "20000", "13001", "69003", "59000", "06000"]
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of the whole query list")
    args = parser.parse_args()

    start = time.perf_counter()
    index = CommuneIndex.load()
    load = time.perf_counter() - start
    print(f"load: {load * 1000:.0f} ms ({index.commune_count:,} communes, {index.epci_count:,} EPCI)")

    queries = typing_queries()
    per_query: dict[str, float] = {}
    for _ in range(args.repeat):
        for query in queries:
            t0 = time.perf_counter()
            index.search(query)
            elapsed = time.perf_counter() - t0
            per_query[query] = min(per_query.get(query, elapsed), elapsed)
    times = sorted(per_query.values())
    slowest = sorted(per_query.items(), key=lambda item: -item[1])[:5]
    print(f"queries: {len(queries)} (best of {args.repeat} runs each)")
    print(f"median: {statistics.median(times) * 1000:.3f} ms")
    print(f"p95:    {times[int(len(times) * 0.95)] * 1000:.3f} ms")
    print(f"max:    {times[-1] * 1000:.3f} ms")
    print("slowest: " + ", ".join(f"{q!r} {t * 1000:.2f} ms" for q, t in slowest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
