"""The 2019 edition of the questionnaire, checked word for word against the official dossier, and its loader.

``tests/fixtures/dossier-participation-2019.txt`` is a verbatim copy of the text of the printed 2019
participation dossier from which ``resources/questionnaires/2019.json`` was transcribed; its SHA-256 is
pinned below so that nobody "fixes" the reference to make a test pass.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.edition import Edition, EditionCatalog, EditionError, builtin_directory, load_edition_file

FIXTURES = Path(__file__).with_name("fixtures")
SEED = FIXTURES / "dossier-participation-2019.txt"
SEED_SHA256 = "976ae1132dd83bea0e05a272a53a1b886d36c648c38eaa17d578e426eb6077ce"
EDITION_2019 = builtin_directory() / "2019.json"
ID_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


# ---------------------------------------------------------------------- the official text


@dataclass(frozen=True)
class SeedBlock:
    theme: str
    heading: str
    question: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Seed:
    themes: tuple[str, ...]
    blocks: tuple[SeedBlock, ...]
    epci: tuple[str, ...]


def parse_seed(text: str) -> Seed:
    """Sub-theme blocks (heading, question, "- " bullets) between the first sub-theme and the EPCI page.

    The heading and the question are the last two non-empty, non-bullet lines before a run of bullets;
    a line equal to a theme title (listed on the "QUESTIONNAIRE PAR THÈME" page) switches the theme.
    """
    lines = text.splitlines()
    toc = lines.index("QUESTIONNAIRE PAR THÈME, SOUS-THÈME, QUESTION ET SERVICES")
    start = lines.index("IDENTITÉ, DROITS & LIBERTÉ", toc)
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("EPCI, SYNDICATS"))
    headings = [ln for ln in lines[toc + 1 : start] if ln.strip()]
    themes = tuple(dict.fromkeys(headings))
    theme = headings[-1]  # the theme heading printed just above the first sub-theme
    blocks: list[SeedBlock] = []
    previous: list[str] = []
    bullets: list[str] | None = None
    for ln in [*lines[start:end], ""]:
        if ln.startswith("- "):
            if bullets is None:
                bullets = []
            bullets.append(ln[2:])
            continue
        if bullets is not None:
            blocks.append(SeedBlock(theme, previous[-2], previous[-1], tuple(bullets)))
            bullets = None
        if ln.strip():
            if ln in themes:
                theme = ln
            previous.append(ln)
    epci = tuple(ln[2:] for ln in lines[end:] if ln.startswith("- "))
    return Seed(themes, tuple(blocks), epci)


@pytest.fixture(scope="module")
def seed() -> Seed:
    raw = SEED.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SEED_SHA256, "the reference text of the 2019 dossier was modified"
    return parse_seed(raw.decode("utf-8"))


@pytest.fixture(scope="module")
def raw_2019() -> dict[str, Any]:
    return json.loads(EDITION_2019.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_seed_parser_finds_the_whole_questionnaire(seed: Seed) -> None:
    assert seed.themes == (
        "DÉMOCRATIE & SERVICES PUBLICS",
        "VIVRE ENSEMBLE",
        "PARTAGE DES CONNAISSANCES",
        "CRÉATION DE RICHESSES",
    )
    assert len(seed.blocks) == 16
    assert sum(len(b.services) for b in seed.blocks) == 138
    assert len(seed.epci) == 14
    assert all(b.question.endswith(("?", "durable")) for b in seed.blocks)


# ---------------------------------------------------------------------- structure of 2019


def test_2019_counts(edition: Edition) -> None:
    assert edition.id == "2019"
    assert len(edition.themes) == 4
    assert len(edition.subthemes) == 16
    assert len(edition.services) == 138
    assert sum(len(th.services) for th in edition.themes) == 138
    assert len(edition.epci_criteria) == 14
    assert edition.opens is None and edition.closes is None


def test_2019_levels_are_ordered_by_rank(edition: Edition) -> None:
    assert [lv.id for lv in edition.levels] == ["projet", "en-cours", "realise"]
    assert [lv.label for lv in edition.levels] == ["En projet", "En cours", "Réalisé"]
    ranks = [lv.rank for lv in edition.levels]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert edition.top_level.id == "realise"


def test_2019_ids_are_unique_and_of_the_documented_shape(edition: Edition, raw_2019: dict[str, Any]) -> None:
    ids: list[str] = []
    for th in raw_2019["themes"]:
        ids.append(th["id"])
        for st in th["subthemes"]:
            ids.append(st["id"])
            for n, sv in enumerate(st["services"], start=1):
                assert sv["id"] == f"{st['id']}-{n:02d}"
                ids.append(sv["id"])
    ids += [lv["id"] for lv in raw_2019["levels"]]
    for n, crit in enumerate(raw_2019["epci_criteria"], start=1):
        assert crit["id"] == f"epci-{n:02d}"
        ids.append(crit["id"])
    assert len(ids) == 4 + 16 + 138 + 3 + 14
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    bad = [i for i in ids if not ID_SHAPE.match(i)]
    assert not bad
    # The loaded look-ups agree with the file.
    sv = edition.service("identite-01")
    assert (sv.subtheme_id, sv.theme_id) == ("identite", "democratie")
    assert edition.subtheme("culture").theme_id == "connaissances"


# ---------------------------------------------------------------------- word for word against the dossier


def test_every_question_and_service_matches_the_dossier(edition: Edition, seed: Seed) -> None:
    assert len(edition.subthemes) == len(seed.blocks)
    for st, block in zip(edition.subthemes, seed.blocks, strict=True):
        assert st.question == block.question, st.id
        labels = tuple(sv.label for sv in st.services)
        for n, (ours, theirs) in enumerate(zip(labels, block.services, strict=False)):
            assert ours == theirs, f"{st.id} service {n + 1}"
        assert labels == block.services, st.id


def test_epci_criteria_match_the_dossier(edition: Edition, seed: Seed) -> None:
    assert tuple(c.label for c in edition.epci_criteria) == seed.epci


def test_theme_titles_and_membership_match_the_dossier(edition: Edition, seed: Seed) -> None:
    assert [th.title.upper() for th in edition.themes] == list(seed.themes)
    by_theme = {th.title.upper(): [st.id for st in th.subthemes] for th in edition.themes}
    seen: dict[str, list[str]] = {}
    for st, block in zip(edition.subthemes, seed.blocks, strict=True):
        seen.setdefault(block.theme, []).append(st.id)
    assert seen == by_theme


def test_subtheme_titles_match_the_dossier_except_the_culture_block(edition: Edition, seed: Seed) -> None:
    for st, block in zip(edition.subthemes, seed.blocks, strict=True):
        if st.id == "culture":
            continue
        assert st.title.casefold() == block.heading.casefold(), st.id


def test_culture_block_anomaly_is_real_and_documented(edition: Edition, seed: Seed) -> None:
    headings = {st.id: block.heading for st, block in zip(edition.subthemes, seed.blocks, strict=True)}
    # In the dossier the culture block repeats the heading of the block before it.
    assert headings["culture"] == headings["mediation"] == "ACCÈS À INTERNET ET MÉDIATION NUMÉRIQUE"
    culture = edition.subtheme("culture")
    assert culture.title == "Pratiques culturelles et patrimoine"
    assert "pratiques culturelles" in culture.question and "patrimoine" in culture.question
    assert len({st.title.casefold() for st in edition.subthemes}) == 16
    note = next(n for n in edition.notes if "ACCÈS À INTERNET ET MÉDIATION NUMÉRIQUE" in n)
    assert "Pratiques culturelles et patrimoine" in note and "Anomalie" in note


def test_cohesion_question_anomaly_is_real_and_documented(edition: Edition, seed: Seed) -> None:
    questions = {st.id: block.question for st, block in zip(edition.subthemes, seed.blocks, strict=True)}
    assert questions["cohesion-sociale"] == questions["democratie-locale"]
    assert edition.subtheme("cohesion-sociale").question == edition.subtheme("democratie-locale").question
    note = next(n for n in edition.notes if "Renforcement de la cohésion sociale" in n)
    assert "Vitalité de la démocratie locale" in note and "Anomalie" in note


def test_level_scale_is_documented_as_arobase_choice(edition: Edition) -> None:
    note = next(n for n in edition.notes if "niveau de réalisation" in n)
    assert "choix d'Arobase" in note
    for lv in edition.levels:
        assert lv.label.casefold() in note.casefold()


# ---------------------------------------------------------------------- loader and catalog


def write_edition(folder: Path, data: dict[str, Any] | str, name: str = "2020.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data_2020(raw_2019: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(raw_2019)
    data["edition"] = "2020"
    return data


def test_loader_caches_while_the_file_is_unchanged(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    path = write_edition(tmp_path, data_2020)
    t0 = time.perf_counter()
    first = load_edition_file(path)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = load_edition_file(path)
    warm = time.perf_counter() - t0
    assert second is first
    assert warm < 0.02 and warm < cold / 5, (cold, warm)


def test_loader_reloads_a_changed_file(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    path = write_edition(tmp_path, data_2020)
    first = load_edition_file(path)
    data_2020["title"] = "Questionnaire 2020 (version corrigée)"
    write_edition(tmp_path, data_2020)
    second = load_edition_file(path)
    assert second is not first
    assert second.title == "Questionnaire 2020 (version corrigée)"
    # Same size, other content, later modification time: reloaded too.
    data_2020["title"] = "Questionnaire 2020 (version corrigéE)"
    before = path.stat()
    write_edition(tmp_path, data_2020)
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert load_edition_file(path).title.endswith("corrigéE)")


def test_catalog_finds_a_new_edition_file(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    folder = tmp_path / "editions"
    write_edition(folder, data_2020)
    only_new = EditionCatalog([folder])
    assert only_new.ids() == ["2020"]
    assert only_new.get("2020").id == "2020"
    both = EditionCatalog([folder, builtin_directory()])
    assert both.ids() == ["2019", "2020"]
    assert both.latest_id() == "2020"
    assert len(both.get("2020").services) == 138
    assert both.get("2019").title != ""


def test_catalog_first_folder_wins_and_skips_missing_folders(tmp_path: Path, raw_2019: dict[str, Any]) -> None:
    data = copy.deepcopy(raw_2019)
    data["title"] = "2019 téléchargé"
    folder = tmp_path / "telecharges"
    write_edition(folder, data, "2019.json")
    cat = EditionCatalog([tmp_path / "absent", folder, builtin_directory()])
    assert cat.ids() == ["2019"]
    assert cat.get("2019").title == "2019 téléchargé"


def test_catalog_ignores_the_schema_file() -> None:
    assert (builtin_directory() / "schema.json").is_file()
    assert "schema" not in EditionCatalog().ids()


def test_levels_are_sorted_by_rank_whatever_the_file_order(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    data_2020["levels"] = list(reversed(data_2020["levels"]))
    ed = load_edition_file(write_edition(tmp_path, data_2020))
    assert [lv.rank for lv in ed.levels] == [1, 2, 3]
    assert ed.top_level.id == "realise"


def test_unknown_edition_lists_the_available_ones(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    write_edition(tmp_path, data_2020)
    cat = EditionCatalog([tmp_path, builtin_directory()])
    with pytest.raises(EditionError) as exc:
        cat.get("1999")
    msg = str(exc.value)
    assert "1999" in msg and "inconnue" in msg
    assert "éditions disponibles : 2019, 2020" in msg


def test_no_edition_installed(tmp_path: Path) -> None:
    with pytest.raises(EditionError, match="Aucune édition"):
        EditionCatalog([tmp_path]).latest_id()
    with pytest.raises(EditionError, match="aucune"):
        EditionCatalog([tmp_path]).get("2019")


def test_unknown_ids_give_french_errors(edition: Edition) -> None:
    with pytest.raises(EditionError, match="Le service « nope » n'existe pas dans l'édition 2019"):
        edition.service("nope")
    with pytest.raises(EditionError, match="niveaux connus : projet, en-cours, realise"):
        edition.level("fini")
    with pytest.raises(EditionError, match="critère intercommunal"):
        edition.criterion("epci-99")


Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        target: Any = data
        for step in parents:
            target = target[step]
        target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        target: Any = data
        for step in parents:
            target = target[step]
        del target[last]

    return mutate


def _steps(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]


MALFORMED: list[tuple[str, Mutation, tuple[str, ...]]] = [
    (
        "missing-question",
        _delete("themes.0.subthemes.1.question"),
        ("themes[0].subthemes[1]", "« question » manque"),
    ),
    ("missing-themes", _delete("themes"), ("« themes » manque",)),
    ("wrong-type-rank", _set("levels.0.rank", "1"), ("levels[0].rank", "type attendu : integer")),
    ("wrong-type-services", _set("themes.2.subthemes.0.services", "aucun"), ("themes[2].subthemes[0].services",)),
    ("empty-label", _set("themes.0.subthemes.0.services.3.label", ""), ("themes[0].subthemes[0].services[3].label",)),
    (
        "unexpected-field",
        _set("themes.1.subthemes.0.services.0.commentaire", "x"),
        ("themes[1].subthemes[0].services[0]", "champ inattendu « commentaire »"),
    ),
    ("bad-id-shape", _set("themes.0.id", "Démocratie"), ("themes[0].id", "Démocratie")),
    (
        "duplicate-service-id",
        _set("themes.1.subthemes.0.services.2.id", "identite-01"),
        ("themes[1].subthemes[0].services[2].id", "identite-01", "déjà utilisé", "themes[0].subthemes[0].services[0]"),
    ),
    (
        "duplicate-subtheme-id",
        _set("themes.3.subthemes.1.id", "culture"),
        ("themes[3].subthemes[1].id", "culture", "déjà utilisé"),
    ),
    ("duplicate-criterion", _set("epci_criteria.5.id", "epci-01"), ("epci_criteria[5].id", "epci-01")),
    ("duplicate-rank", _set("levels.2.rank", 1), ("levels", "même rang")),
    ("edition-not-file-name", _set("edition", "2021"), ("« edition »", "2021", "2020.json")),
    ("impossible-date", _set("opens", "2020-02-30"), ("« opens »", "2020-02-30", "AAAA-MM-JJ")),
    ("date-wrong-shape", _set("closes", "30/06/2020"), ("closes", "30/06/2020")),
]


@pytest.mark.parametrize(("mutate", "fragments"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_file_names_the_file_and_the_field(
    tmp_path: Path, data_2020: dict[str, Any], mutate: Mutation, fragments: tuple[str, ...]
) -> None:
    mutate(data_2020)
    write_edition(tmp_path, data_2020)
    with pytest.raises(EditionError) as exc:
        EditionCatalog([tmp_path]).get("2020")
    msg = str(exc.value)
    assert msg.startswith("Le fichier d'édition 2020.json est invalide : champ « "), msg
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)


def test_invalid_json_names_the_file_and_the_position(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '{\n  "edition": "2020",\n  "title": oups\n}\n')
    with pytest.raises(EditionError) as exc:
        load_edition_file(path)
    msg = str(exc.value)
    assert "2020.json" in msg and "n'est pas du JSON valide" in msg and "ligne 3" in msg


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(EditionError, match="Impossible de lire le fichier d'édition"):
        load_edition_file(tmp_path / "2020.json")
    bad = tmp_path / "2021.json"
    bad.write_bytes(b'{"edition": "2021", "title": "\xe9t\xe9"}')
    with pytest.raises(EditionError, match=r"2021\.json"):
        load_edition_file(bad)


def test_a_fixed_file_loads_after_an_error(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    broken = copy.deepcopy(data_2020)
    del broken["levels"]
    path = write_edition(tmp_path, broken)
    with pytest.raises(EditionError, match="levels"):
        load_edition_file(path)
    write_edition(tmp_path, data_2020)
    assert load_edition_file(path).id == "2020"


def _load_in_child(path: Path, checked: Path) -> tuple[int, str, str]:
    """Load an edition in a fresh interpreter: (exit code, whether jsonschema was imported, stderr)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    probe = (
        "import sys\nfrom pathlib import Path\nfrom app.edition import load_edition_file, EditionError\n"
        f"try:\n    load_edition_file(Path({str(path)!r}), Path({str(checked)!r}))\n"
        "except EditionError as exc:\n    print(exc.message, file=sys.stderr); sys.exit(2)\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    return out.returncode, out.stdout.strip(), out.stderr


def test_a_checked_edition_loads_without_jsonschema_and_a_changed_one_is_checked_again(
    tmp_path: Path, data_2020: dict[str, Any]
) -> None:
    path = write_edition(tmp_path / "editions", data_2020)
    checked = tmp_path / "cache" / "editions-verifiees.txt"
    assert _load_in_child(path, checked) == (0, "True", "")  # first sight: checked against the schema
    assert checked.is_file()
    assert _load_in_child(path, checked) == (0, "False", "")  # the same bytes: the schema is not loaded
    data_2020["levels"] = "pas une liste"
    write_edition(tmp_path / "editions", data_2020)
    code, _out, err = _load_in_child(path, checked)  # other bytes: checked again, and refused
    assert code == 2 and "est invalide" in err, err


def test_an_unwritable_checked_list_only_means_checking_again(tmp_path: Path, data_2020: dict[str, Any]) -> None:
    path = write_edition(tmp_path / "editions", data_2020)
    blocker = tmp_path / "cache"
    blocker.write_text("un fichier, pas un dossier", encoding="utf-8")
    assert load_edition_file(path, blocker / "editions-verifiees.txt").id == "2020"
