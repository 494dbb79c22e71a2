"""The commune picker's offline list: real packaged data, matching rules, ranking, and the extract builder."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from app.communes import CommuneDataUnavailable, CommuneIndex, Place, fold
from resources.communes import build


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return CommuneIndex.load()


def names(places: list[Place]) -> list[str]:
    return [p.name for p in places]


# -- the packaged data ---------------------------------------------------------------------------------------------


def test_load_is_shared(index: CommuneIndex) -> None:
    assert CommuneIndex.load() is index


def test_counts_are_plausible(index: CommuneIndex) -> None:
    assert index.commune_count > 34_000
    assert index.epci_count > 1_200
    assert len(index) == index.commune_count + index.epci_count


def test_metadata(index: CommuneIndex) -> None:
    meta = index.metadata
    assert meta["source"] == "npm @etalab/decoupage-administratif"
    assert meta["version"].count(".") == 2
    assert "Licence Ouverte" in meta["licence"]
    assert meta["generated_by"] == "resources/communes/build.py"


def test_rennes(index: CommuneIndex) -> None:
    rennes = index.by_code("35238")
    assert rennes is not None
    assert (rennes.kind, rennes.name, rennes.departement) == ("commune", "Rennes", "35")
    assert "35000" in rennes.postal_codes
    assert rennes.population is not None and rennes.population > 200_000
    assert rennes.epci_name == "Rennes Métropole"
    assert index.by_code(rennes.epci_code or "") == index.search("243500139")[0]
    assert index.departement_name("35") == "Ille-et-Vilaine"


def test_accented_corsican_and_overseas_codes(index: CommuneIndex) -> None:
    hay = index.by_code("94038")
    assert hay is not None and hay.name == "L'Haÿ-les-Roses"
    ajaccio = index.by_code("2a004")  # case of the Corsican letter does not matter
    assert ajaccio is not None and (ajaccio.name, ajaccio.departement) == ("Ajaccio", "2A")
    saint_denis = index.by_code("97411")
    assert saint_denis is not None and (saint_denis.name, saint_denis.departement) == ("Saint-Denis", "974")
    assert index.by_code("99999") is None
    assert index.by_code("") is None


def test_arrondissements_and_communes_deleguees_are_not_listed(index: CommuneIndex) -> None:
    assert index.by_code("75056") is not None  # Paris
    assert index.by_code("75101") is None  # Paris 1er arrondissement
    assert index.by_code("13201") is None  # Marseille 1er arrondissement


def test_island_commune_outside_any_epci(index: CommuneIndex) -> None:
    yeu = index.by_code("85113")
    assert yeu is not None and yeu.epci_code is None and yeu.epci_name is None


# -- matching ------------------------------------------------------------------------------------------------------


def test_fold() -> None:
    assert fold("L’Haÿ-les-Roses") == "l hay les roses"
    assert fold("  ŒUILLY  ") == "oeuilly"
    assert fold("Saint-Étienne--du  Rouvray") == "saint etienne du rouvray"


def test_postal_code(index: CommuneIndex) -> None:
    assert names(index.search("35000")) == ["Rennes"]
    assert names(index.search("35 000")) == ["Rennes"]
    paris = index.search("75116")
    assert names(paris) == ["Paris"]


def test_postal_prefix_ranks_by_population(index: CommuneIndex) -> None:
    found = index.search("35", limit=5)
    assert found[0].name == "Rennes"
    assert all(p.kind == "commune" for p in found)
    pops = [p.population or 0 for p in found]
    assert pops == sorted(pops, reverse=True)


def test_insee_code_prefix(index: CommuneIndex) -> None:
    assert index.search("35238")[0].name == "Rennes"
    assert index.search("2A00")[0].name == "Ajaccio"
    assert all(p.departement == "2A" for p in index.search("2a"))
    assert index.search("97608")[0].name == "Dzaoudzi"


def test_case_accents_and_punctuation_do_not_matter(index: CommuneIndex) -> None:
    for query in ("l'hay", "L’HAY", "lhay", "l hay les roses", "L'Haÿ-les-Roses"):
        assert index.search(query)[0].code == "94038", query
    assert index.search("saint etienne")[0].name == "Saint-Étienne"
    assert index.search("oeuilly")[0].name == "Œuilly"


def test_saint_abbreviations(index: CommuneIndex) -> None:
    full = index.search("saint aubin", limit=50)
    assert index.search("st aubin", limit=50) == full
    assert index.search("St-Aubin", limit=50) == full
    assert all(p.name.startswith("Saint-Aubin") for p in full[:10])
    assert index.search("ste marie")[0].name == "Sainte-Marie"
    assert names(index.search("bourg st andeol")) == ["Bourg-Saint-Andéol"]
    # "st" may also be the start of a name
    assert "Strasbourg" in names(index.search("st"))
    assert "Strasbourg" in names(index.search("stras"))


def test_words_in_any_order(index: CommuneIndex) -> None:
    assert names(index.search("aubin cormier")) == ["Saint-Aubin-du-Cormier"]


def test_code_next_to_a_name_filters(index: CommuneIndex) -> None:
    found = index.search("saint aubin 35")
    assert found and all(p.departement == "35" for p in found)
    assert "Saint-Aubin-du-Cormier" in names(found)
    assert index.search("saint denis 93")[0].code == "93066"


# -- EPCIs ---------------------------------------------------------------------------------------------------------


def test_epci_by_name(index: CommuneIndex) -> None:
    fayence = index.search("CC du Pays de Fayence")[0]
    assert (fayence.kind, fayence.epci_type) == ("epci", "CC")
    assert fayence.member_count and fayence.member_count > 1
    assert fayence.postal_codes == () and fayence.epci_code is None
    # the legal form spelt out, left out, or the words shuffled
    for query in ("communaute de communes du pays de fayence", "pays de fayence", "cc fayence"):
        assert index.search(query)[0] == fayence, query


def test_epci_acronyms_and_abbreviated_saint(index: CommuneIndex) -> None:
    assert index.search("cinor")[0].kind == "epci"
    found = index.search("pontchateau saint gildas")
    assert found[0].name == "CC du Pays de Pontchâteau St-Gildas-des-Bois"


def test_epci_by_siren(index: CommuneIndex) -> None:
    rennes_metropole = index.search("243500139")
    assert [(p.kind, p.name, p.epci_type) for p in rennes_metropole] == [("epci", "Rennes Métropole", "METRO")]
    assert rennes_metropole[0].population and rennes_metropole[0].population > 400_000
    assert index.by_code("243500139") == rennes_metropole[0]
    assert all(p.kind == "epci" for p in index.search("2435001"))
    assert all(p.kind == "commune" for p in index.search("24350"))  # 5 digits: a postal or INSEE code


# -- ranking and limits --------------------------------------------------------------------------------------------


def test_exact_name_first(index: CommuneIndex) -> None:
    found = index.search("Rennes")
    assert found[0].code == "35238"
    assert found[1].name == "Rennes Métropole"  # a name prefix, the most populated
    assert all(p.name != "Rennes" for p in found[1:])
    # the exact match comes before much bigger communes whose name merely starts the same way
    assert index.search("paris")[0].code == "75056"
    assert index.search("Vitré")[0].name == "Vitré"


def test_several_exact_matches_by_population(index: CommuneIndex) -> None:
    found = [p for p in index.search("saint denis", limit=50) if p.name == "Saint-Denis"]
    assert len(found) > 2
    assert found[0].population and found[0].population > 100_000
    pops = [p.population or 0 for p in found]
    assert pops == sorted(pops, reverse=True)


def test_name_prefix_before_inner_word(index: CommuneIndex) -> None:
    found = index.search("aubin", limit=200)
    first_inner = next(k for k, p in enumerate(found) if not fold(p.name).startswith("aubin"))
    assert all(not fold(p.name).startswith("aubin") for p in found[first_inner:])
    assert "Saint-Aubin" in names(found)


def test_limit(index: CommuneIndex) -> None:
    assert len(index.search("saint", limit=7)) == 7
    assert len(index.search("saint")) == 20
    assert index.search("saint", limit=0) == []
    assert len(index.search("35", limit=3)) == 3


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "-", "'", "…"])
def test_empty_or_meaningless_query(index: CommuneIndex, query: str) -> None:
    assert index.search(query) == []


def test_unknown_name(index: CommuneIndex) -> None:
    assert index.search("xqzw") == []


def test_results_are_independent_lists(index: CommuneIndex) -> None:
    first = index.search("rennes")
    first.clear()
    assert index.search("rennes")


def test_profile_fields(index: CommuneIndex) -> None:
    rennes = index.by_code("35238")
    assert rennes is not None
    fields = rennes.profile_fields()
    assert fields["name"] == "Rennes" and fields["kind"] == "commune" and fields["code"] == "35238"
    assert fields["departement"] == "35" and fields["population"] == rennes.population
    assert rennes.label.startswith("Rennes (35) · 35000")


def test_queries_are_fast(index: CommuneIndex) -> None:
    queries = ["s", "sa", "saint", "st aubin", "le", "la ", "35", "750", "rennes", "cc du pays", "aubin cormier"]
    worst = 0.0
    for query in queries:
        start = time.perf_counter()
        index.search(query)
        worst = max(worst, time.perf_counter() - start)
    assert worst < 0.05  # well under 10 ms on the reference machine; generous here for slow CI


# -- files ---------------------------------------------------------------------------------------------------------


def test_missing_or_damaged_file(tmp_path: Path) -> None:
    with pytest.raises(CommuneDataUnavailable):
        CommuneIndex.load(tmp_path / "absent.json.gz")
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(CommuneDataUnavailable):
        CommuneIndex.load(bad)
    wrong = tmp_path / "wrong.json.gz"
    wrong.write_bytes(gzip.compress(b"[]"))
    with pytest.raises(CommuneDataUnavailable):
        CommuneIndex.load(wrong)


def _package_files() -> dict[str, bytes]:
    """A tiny stand-in for the npm package, in its own field names."""
    communes = [
        {"code": "35238", "nom": "Rennes", "type": "commune-actuelle", "departement": "35", "population": 230_000}
        | {"codesPostaux": ["35200", "35000", "35000"]},
        {"code": "35001", "nom": "Acigné", "type": "commune-actuelle", "departement": "35", "population": 7_000}
        | {"codesPostaux": ["35690"]},
        {"code": "35002", "nom": "Ancienne", "type": "commune-deleguee", "departement": "35", "chefLieu": "35001"},
        {"code": "13201", "nom": "Marseille 1er", "type": "arrondissement-municipal", "departement": "13"},
        {"code": "98411", "nom": "Kerguelen", "type": "commune-actuelle", "departement": "984"},
    ]
    epci = [
        {
            "code": "243500139",
            "nom": "Rennes Métropole",
            "type": "METRO",
            "populationMunicipale": 470_000,
            "membres": [{"code": "35238"}, {"code": "35001"}],
        }
    ]
    departements = [
        {"code": "984", "nom": "TAAF"},
        {"code": "35", "nom": "Ille-et-Vilaine"},
        {"code": "13", "nom": "B"},
    ]
    readme = "# x\n\n| 2026  | 6.0.0 | a | b |\n\n## Licence\n\nDonnées : [Licence Ouverte](https://x)\\\nCode : MIT\n"
    return {
        "package.json": json.dumps({"license": "MIT"}).encode(),
        "README.md": readme.encode(),
        "data/communes.json": json.dumps(communes).encode(),
        "data/epci.json": json.dumps(epci).encode(),
        "data/departements.json": json.dumps(departements).encode(),
    }


def test_build_extract_and_load(tmp_path: Path) -> None:
    data = build.extract(_package_files(), "6.0.0", "2026-04-09")
    assert data["licence"] == "Données : Licence Ouverte ; Code : MIT"
    assert data["millesime"] == "2026"
    assert [c["code"] for c in data["communes"]] == ["35001", "35238", "98411"]
    rennes = data["communes"][1]
    assert rennes == {"code": "35238", "nom": "Rennes", "dep": "35", "pop": 230_000, "cp": ["35000", "35200"]} | {
        "epci": "243500139"
    }
    assert data["communes"][2]["epci"] is None and data["communes"][2]["pop"] is None
    assert data["epci"] == [
        {"code": "243500139", "nom": "Rennes Métropole", "type": "METRO", "pop": 470_000, "membres": 2, "dep": "35"}
    ]
    assert [d["code"] for d in data["departements"]] == ["13", "35", "984"]

    blob = build.encode(data)
    assert blob == build.encode(json.loads(json.dumps(data)))  # deterministic bytes
    assert blob[4:8] == b"\0\0\0\0"  # gzip mtime 0
    path = tmp_path / "mini.json.gz"
    path.write_bytes(blob)
    mini = CommuneIndex.load(path)
    assert names(mini.search("35")) == ["Rennes", "Acigné"]
    assert names(mini.search("acigne")) == ["Acigné"]
    assert mini.search("kerguelen")[0].population is None
    assert mini.metadata["version"] == "6.0.0"


def test_build_refuses_unexpected_licence() -> None:
    files = _package_files()
    files["README.md"] = b"# x\n\n## Licence\n\nCC-BY-NC\n"
    with pytest.raises(SystemExit):
        build.extract(files, "6.0.0", None)


def test_packaged_file_is_small_and_deterministic() -> None:
    path = Path(build.OUTPUT)
    blob = path.read_bytes()
    assert len(blob) < 1_500_000
    assert blob[4:8] == b"\0\0\0\0"
    text = gzip.decompress(blob)
    assert gzip.decompress(build.encode(json.loads(text))) == text  # sorted keys and records, compact separators
