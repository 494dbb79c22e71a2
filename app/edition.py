"""Questionnaire editions: load, validate and index the yearly questionnaire of the label.

An edition is plain data (``resources/questionnaires/<id>.json``) checked against a JSON Schema at
load, so a new year is added by dropping in a file, and a broken file is reported in French with the
file and the faulty field rather than failing later somewhere deep in the UI.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from app.errors import ArobaseError
from resources import folder

SCHEMA_NAME = "schema.json"


class EditionError(ArobaseError):
    """An edition file is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    label: str
    subtheme_id: str
    theme_id: str


@dataclass(frozen=True, slots=True)
class SubTheme:
    id: str
    title: str
    question: str
    theme_id: str
    services: tuple[Service, ...]


@dataclass(frozen=True, slots=True)
class Theme:
    id: str
    title: str
    subthemes: tuple[SubTheme, ...]

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(s for st in self.subthemes for s in st.services)


@dataclass(frozen=True, slots=True)
class Level:
    """A level of realisation of an action; a higher rank is further along."""

    id: str
    label: str
    rank: int


@dataclass(frozen=True, slots=True)
class EpciCriterion:
    id: str
    label: str


@dataclass(frozen=True)
class Edition:
    """One year's questionnaire, with look-ups by id."""

    id: str
    title: str
    opens: date | None
    closes: date | None
    notes: tuple[str, ...]
    themes: tuple[Theme, ...]
    levels: tuple[Level, ...]
    epci_criteria: tuple[EpciCriterion, ...]
    _services: dict[str, Service] = field(repr=False, compare=False, default_factory=dict)
    _subthemes: dict[str, SubTheme] = field(repr=False, compare=False, default_factory=dict)
    _levels: dict[str, Level] = field(repr=False, compare=False, default_factory=dict)
    _criteria: dict[str, EpciCriterion] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        for th in self.themes:
            for st in th.subthemes:
                self._subthemes[st.id] = st
                for sv in st.services:
                    self._services[sv.id] = sv
        self._levels.update({lv.id: lv for lv in self.levels})
        self._criteria.update({c.id: c for c in self.epci_criteria})

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(self._services.values())

    @property
    def subthemes(self) -> tuple[SubTheme, ...]:
        return tuple(self._subthemes.values())

    def service(self, service_id: str) -> Service:
        try:
            return self._services[service_id]
        except KeyError:
            raise EditionError(
                f"Le service « {service_id} » n'existe pas dans l'édition {self.id} du questionnaire."
            ) from None

    def has_service(self, service_id: str) -> bool:
        return service_id in self._services

    def subtheme(self, subtheme_id: str) -> SubTheme:
        try:
            return self._subthemes[subtheme_id]
        except KeyError:
            raise EditionError(f"Le sous-thème « {subtheme_id} » n'existe pas dans l'édition {self.id}.") from None

    def theme(self, theme_id: str) -> Theme:
        for th in self.themes:
            if th.id == theme_id:
                return th
        raise EditionError(f"Le thème « {theme_id} » n'existe pas dans l'édition {self.id}.")

    def level(self, level_id: str) -> Level:
        try:
            return self._levels[level_id]
        except KeyError:
            known = ", ".join(lv.id for lv in self.levels)
            raise EditionError(
                f"Le niveau de réalisation « {level_id} » n'existe pas dans l'édition {self.id} "
                f"(niveaux connus : {known})."
            ) from None

    def has_level(self, level_id: str) -> bool:
        return level_id in self._levels

    def criterion(self, criterion_id: str) -> EpciCriterion:
        try:
            return self._criteria[criterion_id]
        except KeyError:
            raise EditionError(
                f"Le critère intercommunal « {criterion_id} » n'existe pas dans l'édition {self.id}."
            ) from None

    def has_criterion(self, criterion_id: str) -> bool:
        return criterion_id in self._criteria

    @property
    def top_level(self) -> Level:
        return max(self.levels, key=lambda lv: lv.rank)


def builtin_directory() -> Path:
    """The folder of the editions shipped with Arobase."""
    return folder("resources.questionnaires")


class EditionCatalog:
    """Editions found in an ordered list of folders (first wins), e.g. downloaded ones then built-in."""

    def __init__(self, directories: Sequence[Path] | None = None, *, checked_list: Path | None = None) -> None:
        self.directories: tuple[Path, ...] = tuple(directories or (builtin_directory(),))
        self.checked_list = checked_list

    def _files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for directory in self.directories:
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.json")):
                if path.name == SCHEMA_NAME:
                    continue
                found.setdefault(path.stem, path)
        return found

    def ids(self) -> list[str]:
        """Edition ids, oldest first."""
        return sorted(self._files())

    def latest_id(self) -> str:
        ids = self.ids()
        if not ids:
            raise EditionError("Aucune édition du questionnaire n'est installée : réinstallez Arobase.")
        return ids[-1]

    def get(self, edition_id: str) -> Edition:
        path = self._files().get(edition_id)
        if path is None:
            known = ", ".join(self.ids()) or "aucune"
            raise EditionError(
                f"L'édition « {edition_id} » du questionnaire est inconnue (éditions disponibles : {known})."
            )
        return load_edition_file(path, self.checked_list)


def load_edition_file(path: Path, checked_list: Path | None = None) -> Edition:
    """Load and validate one edition file; cached while the file is unchanged.

    ``checked_list``: a small file of the SHA-256 digests (file and schema together) of the edition files
    that passed the schema already, kept in the user's cache folder: jsonschema (0.3 s) is then imported
    only the first time a file is seen, and again whenever its bytes or the schema's change.
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise EditionError(f"Impossible de lire le fichier d'édition {path} : {exc.strerror}.") from None
    return _load_cached(str(path), st.st_mtime_ns, st.st_size, str(checked_list or ""))


MAX_CHECKED = 32  # digests kept in the checked list


def _checked_digests(checked_list: Path) -> list[str]:
    try:
        return checked_list.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return []


def _remember_checked(checked_list: Path, digest: str) -> None:
    """Best effort: a cache folder that cannot be written only means the schema is checked next time too."""
    others = [d for d in _checked_digests(checked_list) if d != digest]
    kept = [*others[-(MAX_CHECKED - 1) :], digest]
    try:
        checked_list.parent.mkdir(parents=True, exist_ok=True)
        checked_list.write_text("\n".join(kept) + "\n", encoding="ascii")
    except OSError:
        pass


@lru_cache(maxsize=16)
def _load_cached(path_str: str, _mtime_ns: int, _size: int, checked_list: str) -> Edition:
    path = Path(path_str)
    try:
        raw_bytes = path.read_bytes()
        raw = raw_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EditionError(f"Impossible de lire le fichier d'édition {path.name} : {exc}.") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EditionError(
            f"Le fichier d'édition {path.name} n'est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from None
    digest = ""
    if checked_list:
        schema = (builtin_directory() / SCHEMA_NAME).read_bytes()
        digest = hashlib.sha256(hashlib.sha256(schema).digest() + raw_bytes).hexdigest()
    if not digest or digest not in _checked_digests(Path(checked_list)):
        _validate(path, data)
        if digest:
            _remember_checked(Path(checked_list), digest)
    return _build(path, data)


@lru_cache(maxsize=1)
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads((builtin_directory() / SCHEMA_NAME).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _where(parts: Iterable[object]) -> str:
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text or "(racine)"


def _validate(path: Path, data: object) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        raise EditionError(
            f"Le fichier d'édition {path.name} est invalide : champ « {_where(err.absolute_path)} » — "
            f"{_french_reason(err)}."
        )
    assert isinstance(data, dict)
    seen: dict[str, str] = {}
    for th_i, th in enumerate(data["themes"]):
        items = [(f"themes[{th_i}].id", th["id"])]
        for st_i, st in enumerate(th["subthemes"]):
            base = f"themes[{th_i}].subthemes[{st_i}]"
            items.append((f"{base}.id", st["id"]))
            items += [(f"{base}.services[{i}].id", s["id"]) for i, s in enumerate(st["services"])]
        for where, ident in items:
            if ident in seen:
                raise EditionError(
                    f"Le fichier d'édition {path.name} est invalide : champ « {where} » — l'identifiant "
                    f"« {ident} » est déjà utilisé par « {seen[ident]} »."
                )
            seen[ident] = where
    for key in ("levels", "epci_criteria"):
        local: set[str] = set()
        for i, item in enumerate(data[key]):
            if item["id"] in local:
                raise EditionError(
                    f"Le fichier d'édition {path.name} est invalide : champ « {key}[{i}].id » — "
                    f"l'identifiant « {item['id']} » est répété."
                )
            local.add(item["id"])
    ranks = [lv["rank"] for lv in data["levels"]]
    if len(set(ranks)) != len(ranks):
        raise EditionError(
            f"Le fichier d'édition {path.name} est invalide : champ « levels » — deux niveaux ont le même rang."
        )
    if path.stem != data["edition"]:
        raise EditionError(
            f"Le fichier d'édition {path.name} est invalide : champ « edition » — il vaut "
            f"« {data['edition']} » alors que le fichier s'appelle {path.name}."
        )
    for key in ("opens", "closes"):
        if data[key] is not None:
            try:
                date.fromisoformat(data[key])
            except ValueError:
                raise EditionError(
                    f"Le fichier d'édition {path.name} est invalide : champ « {key} » — "
                    f"« {data[key]} » n'est pas une date AAAA-MM-JJ."
                ) from None


def _french_reason(err) -> str:  # type: ignore[no-untyped-def]
    v = err.validator
    if v == "required":
        missing = [m for m in err.validator_value if isinstance(err.instance, dict) and m not in err.instance]
        return f"le champ obligatoire « {missing[0] if missing else err.validator_value} » manque"
    if v == "type":
        return f"type attendu : {err.validator_value}, trouvé : {type(err.instance).__name__}"
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return f"champ inattendu « {', '.join(extra)} »"
    if v == "pattern":
        return f"la valeur « {err.instance} » n'a pas la forme attendue"
    if v in ("minItems", "minLength"):
        return "la valeur est vide"
    if v == "minimum":
        return f"la valeur doit être au moins {err.validator_value}"
    return err.message


def _build(path: Path, data: dict) -> Edition:  # type: ignore[type-arg]
    themes = []
    for th in data["themes"]:
        subthemes = tuple(
            SubTheme(
                id=st["id"],
                title=st["title"],
                question=st["question"],
                theme_id=th["id"],
                services=tuple(Service(s["id"], s["label"], st["id"], th["id"]) for s in st["services"]),
            )
            for st in th["subthemes"]
        )
        themes.append(Theme(th["id"], th["title"], subthemes))
    levels = tuple(sorted((Level(lv["id"], lv["label"], lv["rank"]) for lv in data["levels"]), key=lambda lv: lv.rank))
    return Edition(
        id=data["edition"],
        title=data["title"],
        opens=date.fromisoformat(data["opens"]) if data["opens"] else None,
        closes=date.fromisoformat(data["closes"]) if data["closes"] else None,
        notes=tuple(data["notes"]),
        themes=tuple(themes),
        levels=levels,
        epci_criteria=tuple(EpciCriterion(c["id"], c["label"]) for c in data["epci_criteria"]),
    )


def fold(text: str) -> str:
    """Lower-case text without accents, for searches that ignore both."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
