"""Build the offline list of French communes and EPCIs from the npm package ``@etalab/decoupage-administratif``.

    python resources/communes/build.py [--version 6.0.0 | --latest] [--keep-tarball DIR]

Why a build step: the data (Code officiel géographique, DGCL EPCI list, INSEE populations, La Poste postal codes)
is published on npm only, and the app must work offline, so a trimmed extract is vendored next to this script as
``communes.json.gz``. Stdlib only; needs ``npm`` on PATH and the npm registry. The output is deterministic (sorted
records and keys, gzip mtime 0), so re-running with the same version gives byte-identical data.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
PINNED_VERSION = "6.0.0"
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "communes.json.gz"
SOURCE_MD = HERE / "SOURCE.md"
GENERATED_BY = "resources/communes/build.py"
MEMBERS = ("package/package.json", "package/README.md", "package/data/communes.json", "package/data/epci.json")
MEMBERS += ("package/data/departements.json",)
SIZE_BUDGET = 1_500_000


def npm(*args: str, cwd: Path | None = None) -> str:
    """Run npm and return its stdout; a clear message if npm is missing."""
    exe = shutil.which("npm")
    if exe is None:
        sys.exit("npm is required (apt-get install npm)")
    done = subprocess.run([exe, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def choose_version(requested: str | None, latest: bool) -> tuple[str, list[str]]:
    """The pinned version if the registry has it (or the one asked for), else the newest stable one."""
    versions: list[str] = json.loads(npm("view", PACKAGE, "versions", "--json"))
    stable = sorted((v for v in versions if re.fullmatch(r"\d+\.\d+\.\d+", v)), key=_version_key)
    if latest:
        return stable[-1], versions
    wanted = requested or PINNED_VERSION
    if wanted in versions:
        return wanted, versions
    if requested:
        sys.exit(f"{PACKAGE}@{requested} is not on the registry; known: {', '.join(stable)}")
    print(f"warning: pinned {PINNED_VERSION} not found, using newest {stable[-1]}", file=sys.stderr)
    return stable[-1], versions


def fetch(version: str, workdir: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    """``npm pack`` the package (npm checks the registry's integrity hash) and read the files we need."""
    info = json.loads(npm("pack", f"{PACKAGE}@{version}", "--json", cwd=workdir))[0]
    with tarfile.open(workdir / info["filename"], "r:gz") as tar:
        files = {}
        for name in MEMBERS:
            member = tar.extractfile(name)
            if member is None:
                sys.exit(f"{name} missing from {info['filename']}")
            files[name.removeprefix("package/")] = member.read()
    return files, info


def licence_from(package_json: dict[str, Any], readme: str) -> str:
    """'Données : Licence Ouverte ; Code : MIT', from the README's Licence section, checked against package.json."""
    section = re.search(r"^##\s*Licen[cs]e\s*$(.*?)(?=^##\s|\Z)", readme, re.M | re.S)
    if not section:
        sys.exit("README has no Licence section: check the licence by hand")
    lines = []
    for raw in section.group(1).splitlines():
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", raw).rstrip("\\ ").strip()
        if line:
            lines.append(line)
    text = " ; ".join(lines)
    code_licence = package_json.get("license", "")
    if "Licence Ouverte" not in text or (code_licence and code_licence not in text):
        sys.exit(f"unexpected licence terms: README says {text!r}, package.json says {code_licence!r}")
    return text


def millesime_from(readme: str, version: str) -> str | None:
    """The COG year the README's table gives for this version ('2026' for 6.0.0)."""
    match = re.search(rf"^\|\s*(\d{{4}})\s*\|\s*{re.escape(version)}\s*\|", readme, re.M)
    return match.group(1) if match else None


def dominant_departement(members: list[dict[str, Any]], communes: dict[str, dict[str, Any]]) -> str | None:
    """An EPCI may straddle départements: keep the one holding most of its population."""
    weight: collections.Counter[str] = collections.Counter()
    for member in members:
        commune = communes.get(member["code"])
        if commune:
            weight[commune["dep"]] += (commune["pop"] or 0) + 1
    return min(weight, key=lambda dep: (-weight[dep], dep)) if weight else None


def extract(files: dict[str, bytes], version: str, published: str | None) -> dict[str, Any]:
    """Trim the package's data to what the profile picker needs, with short keys."""
    package_json = json.loads(files["package.json"])
    readme = files["README.md"].decode("utf-8")
    raw_communes = json.loads(files["data/communes.json"])
    raw_epci = json.loads(files["data/epci.json"])
    raw_deps = json.loads(files["data/departements.json"])

    # Only communes that exist today: arrondissements municipaux (Paris, Lyon, Marseille), communes déléguées and
    # associées are not collectivities that could apply for the label on their own.
    communes: dict[str, dict[str, Any]] = {}
    for row in raw_communes:
        if row.get("type") != "commune-actuelle":
            continue
        communes[row["code"]] = {
            "code": row["code"],
            "nom": row["nom"],
            "dep": row["departement"],
            "pop": row.get("population"),
            "cp": sorted(set(row.get("codesPostaux") or [])),
            "epci": None,
        }

    epcis = []
    for row in raw_epci:
        members = row.get("membres") or []
        for member in members:
            commune = communes.get(member["code"])
            if commune is None:
                sys.exit(f"EPCI {row['code']} lists {member['code']}, which is not a current commune")
            if commune["epci"] not in (None, row["code"]):
                sys.exit(f"commune {member['code']} is in two EPCIs: {commune['epci']} and {row['code']}")
            commune["epci"] = row["code"]
        pop = row.get("populationMunicipale")
        if pop is None:
            pop = sum(communes[m["code"]]["pop"] or 0 for m in members)
        epcis.append(
            {
                "code": row["code"],
                "nom": row["nom"],
                "type": row["type"],
                "pop": pop,
                "membres": len(members),
                "dep": dominant_departement(members, communes),
            }
        )

    dep_codes = {row["code"] for row in raw_deps}
    unknown = {c["dep"] for c in communes.values()} - dep_codes
    if unknown:
        sys.exit(f"communes refer to unknown départements: {sorted(unknown)}")

    return {
        "source": f"npm {PACKAGE}",
        "version": version,
        "licence": licence_from(package_json, readme),
        "millesime": millesime_from(readme, version),
        "published": published,
        "generated_by": GENERATED_BY,
        "departements": sorted(({"code": d["code"], "nom": d["nom"]} for d in raw_deps), key=lambda d: d["code"]),
        "communes": sorted(communes.values(), key=lambda c: c["code"]),
        "epci": sorted(epcis, key=lambda e: e["code"]),
    }


def encode(data: dict[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, no spaces, gzip header without name nor time."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def source_md(data: dict[str, Any], info: dict[str, Any], blob: bytes) -> str:
    """Provenance note: the Licence Ouverte asks to name the source and the date of its last update."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    rows = [
        (
            "Source",
            f"npm package `{PACKAGE}` (Etalab / data.gouv.fr), <https://github.com/etalab/decoupage-administratif>",
        ),
        (
            "Version",
            f"{data['version']} (Code officiel géographique {data['millesime'] or '?'}), "
            f"published on npm {data['published'] or '?'}",
        ),
        ("Tarball", f"`{info['filename']}`, integrity `{info['integrity']}`, shasum `{info['shasum']}`"),
        (
            "Licence",
            f"{data['licence']} (README of the package). Data: Licence Ouverte / Open Licence of Etalab, "
            "<https://www.etalab.gouv.fr/licence-ouverte-open-licence>; code: MIT (`license` of package.json)",
        ),
        (
            "Upstream sources",
            "INSEE Code officiel géographique and populations légales, DGCL list of EPCI à fiscalité propre, "
            "La Poste base officielle des codes postaux",
        ),
        ("Extracted on", today),
        ("Output", f"`communes.json.gz`, {len(blob):,} bytes, sha256 `{hashlib.sha256(blob).hexdigest()}`"),
        (
            "Counts",
            f"{len(data['communes']):,} communes (type `commune-actuelle`), {len(data['epci']):,} EPCI, "
            f"{len(data['departements'])} départements",
        ),
    ]
    table = "\n".join(f"| {label} | {value} |" for label, value in rows)
    return f"""# Source of communes.json.gz

Generated by `{GENERATED_BY}` (run `python {GENERATED_BY}`; needs npm and the npm registry). Do not edit by hand.

| | |
| --- | --- |
{table}

What is kept: for each current commune its INSEE code, name, département, population (the package's `population`,
INSEE population légale), postal codes and the SIREN of its EPCI (null for the few island and overseas communes
outside any EPCI); for each EPCI à fiscalité propre its SIREN, name, type (CC, CA, CU, METRO, MET69), population
(`populationMunicipale`, DGCL), number of member communes and the département holding most of its population.
Left out: arrondissements municipaux, communes déléguées and associées (not collectivities of their own), régions,
arrondissements, EPT.

Attribution to show in the app: « Source : Etalab, découpage administratif (COG INSEE, DGCL, La Poste),
version {data["version"]}, Licence Ouverte ».
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help=f"package version (default: {PINNED_VERSION})")
    parser.add_argument("--latest", action="store_true", help="use the newest published version")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    version, _ = choose_version(args.version, args.latest)
    times = json.loads(npm("view", f"{PACKAGE}@{version}", "time", "--json"))
    published = str(times.get(version, ""))[:10] or None
    with tempfile.TemporaryDirectory(prefix="decoupage-") as tmp:
        files, info = fetch(version, Path(tmp))
    data = extract(files, version, published)
    blob = encode(data)
    if len(blob) > SIZE_BUDGET:
        print(f"warning: {len(blob):,} bytes, over the {SIZE_BUDGET:,} budget", file=sys.stderr)
    args.output.write_bytes(blob)
    if args.output == OUTPUT:
        SOURCE_MD.write_text(source_md(data, info, blob), encoding="utf-8")
    print(
        f"{args.output}: {len(blob):,} bytes; {PACKAGE}@{version}; "
        f"{len(data['communes']):,} communes, {len(data['epci']):,} EPCI; licence: {data['licence']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
