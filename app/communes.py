"""Offline look-up of French communes and EPCIs, so the profile is picked from the official list, not typed.

The data is the extract ``resources/communes/communes.json.gz`` made by ``resources/communes/build.py`` from
Etalab's découpage administratif (Code officiel géographique, Licence Ouverte). No Qt and no network here: the
profile form calls :meth:`CommuneIndex.search` as the user types, and keeps manual entry for anything not found.

Matching ignores case, accents, hyphens and apostrophes ("st aubin" finds "Saint-Aubin-du-Cormier", "l'hay" finds
"L'Haÿ-les-Roses"), matches 2 to 5 digits against postal and INSEE codes and 6 to 9 digits against EPCI SIRENs.
Every word start of every name is kept in one sorted list, so a query is a few binary searches, not a scan.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from app.errors import ArobaseError

DATA_PACKAGE = "resources.communes"
DATA_FILE = "communes.json.gz"

EPCI_TYPE_LABELS = {
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "METRO": "Métropole",
    "MET69": "Métropole de Lyon",
}

# Abbreviations found in names and typed by users, expanded on both sides so "St-Gildas" and "saint gildas" meet.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# EPCI names start with an abbreviated legal form; users may type it in full.
_EPCI_PREFIXES = {
    "cc": "communaute de communes",
    "ca": "communaute d agglomeration",
    "cu": "communaute urbaine",
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_CODE_TOKEN = re.compile(r"(?:\d{2,9}|2[ab]\d{0,3})")
_ELISION = re.compile(r"\b([ld]) ")
_HIGH = "\U0010ffff"


class CommuneDataUnavailable(ArobaseError):
    """The packaged list is missing or unreadable: the profile must fall back to manual entry."""


class _FoldTable(dict[int, str]):
    """str.translate table filled on first sight of each character: accents off, ligatures spelt, rest a space."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        plain = _NOT_ALNUM.sub(" ", plain.replace("œ", "oe").replace("æ", "ae").casefold())
        self[code] = plain
        return plain


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no accents, ligatures spelt out, any run of non-alphanumerics as one space."""
    return " ".join(text.casefold().translate(_FOLD_TABLE).split())


def expand(folded: str) -> str:
    """Spell out "st"/"ste" words of a folded text."""
    if "st" not in folded:
        return folded
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded.split())


@dataclass(frozen=True, slots=True)
class Place:
    """A commune or an EPCI as the profile form shows and stores it."""

    kind: Literal["commune", "epci"]
    code: str  # INSEE code of a commune, SIREN of an EPCI
    name: str
    departement: str | None  # for an EPCI, the département holding most of its population
    population: int | None
    postal_codes: tuple[str, ...] = ()
    epci_code: str | None = None  # the EPCI a commune belongs to (None for a few islands and overseas)
    epci_name: str | None = None
    epci_type: str | None = None  # for an EPCI, its legal form: CC, CA, CU, METRO, MET69
    member_count: int | None = None  # for an EPCI, its number of communes

    @property
    def label(self) -> str:
        """One line for a completion list: 'Rennes (35) · 35000' or 'Rennes Métropole · Métropole, 43 communes'."""
        if self.kind == "epci":
            form = EPCI_TYPE_LABELS.get(self.epci_type or "", "Intercommunalité")
            return f"{self.name} · {form}, {self.member_count or 0} communes"
        codes = ", ".join(self.postal_codes[:3]) + (", …" if len(self.postal_codes) > 3 else "")
        return f"{self.name} ({self.departement or '?'})" + (f" · {codes}" if codes else "")

    def profile_fields(self) -> dict[str, Any]:
        """The values to put in ``app.model.Profile`` (``profile.updated(**place.profile_fields())``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "code": self.code,
            "departement": self.departement or "",
            "population": self.population,
            "epci_code": (self.epci_code or "") if self.kind == "commune" else "",
            "epci_name": (self.epci_name or "") if self.kind == "commune" else "",
        }


class CommuneIndex:
    """The whole list in memory with its search structures; build it with :meth:`load`, which caches it."""

    _cache: ClassVar[dict[str, CommuneIndex]] = {}  # one index per file, shared by every caller
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._metadata = MappingProxyType(
            {
                key: str(data[key])
                for key in ("source", "version", "licence", "millesime", "published", "generated_by")
                if data.get(key) is not None
            }
        )
        self._departements: dict[str, str] = {d["code"]: d["nom"] for d in data.get("departements", ())}
        epcis: list[dict[str, Any]] = list(data.get("epci", ()))
        communes: list[dict[str, Any]] = list(data.get("communes", ()))
        epci_names = {e["code"]: e["nom"] for e in epcis}
        # One row per entry, in Place field order: communes first, then EPCIs.
        self._rows: list[tuple[Any, ...]] = [_commune_row(c, epci_names) for c in communes]
        self._rows += [
            ("epci", e["code"], e["nom"], e.get("dep"), e.get("pop"), (), None, None, e.get("type"), e.get("membres"))
            for e in epcis
        ]
        self.commune_count = len(communes)
        self.epci_count = len(epcis)
        self._places: list[Place | None] = [None] * len(self._rows)
        self._by_code = {row[1]: i for i, row in enumerate(self._rows)}
        self._population = [row[4] or 0 for row in self._rows]
        self._folded = [expand(fold(row[2])) for row in self._rows]
        self._words = [tuple(name.split()) for name in self._folded]
        self._build_name_keys()
        self._build_code_keys()

    # -- loading ---------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> CommuneIndex:
        """The index of ``path`` (default: the packaged file), read on first call and then shared."""
        key = str(Path(path).resolve()) if path is not None else ""
        with cls._lock:
            index = cls._cache.get(key)
            if index is None:
                index = cls(_read(path))
                cls._cache[key] = index
            return index

    # -- structures ------------------------------------------------------------------------------------------

    def _build_name_keys(self) -> None:
        """Sorted key lists with parallel entry lists: whole names (and variants) apart from inner word starts."""
        start_keys: list[str] = []
        start_ids: list[int] = []
        inner_keys: list[str] = []
        inner_ids: list[int] = []
        for i, name in enumerate(self._folded):
            words = self._words[i]
            variants = {name}
            if name[:2] in ("l ", "d ") or " l " in name or " d " in name:
                variants.add(_ELISION.sub(r"\1", name))  # "lhay les roses": the apostrophe left out
            if self._rows[i][0] == "epci" and words and words[0] in _EPCI_PREFIXES:
                variants.add(" ".join((_EPCI_PREFIXES[words[0]], *words[1:])))
            start_keys.extend(variants)
            start_ids.extend([i] * len(variants))
            inner_keys.extend(" ".join(words[k:]) for k in range(1, len(words)))
            inner_ids.extend([i] * (len(words) - 1))
        self._start_keys, self._start_ids = _sorted_pairs(start_keys, start_ids)
        self._inner_keys, self._inner_ids = _sorted_pairs(inner_keys, inner_ids)

    def _build_code_keys(self) -> None:
        """Sorted list of postal codes, INSEE codes and SIRENs with their entries, for prefix search."""
        keys: list[str] = []
        ids: list[int] = []
        for i, row in enumerate(self._rows):
            keys.append(row[1])
            keys.extend(row[5])
            ids.extend([i] * (1 + len(row[5])))
        self._code_keys, self._code_ids = _sorted_pairs(keys, ids)

    # -- queries ---------------------------------------------------------------------------------------------

    @property
    def metadata(self) -> Mapping[str, str]:
        """Source, version and licence of the data, to show in the app (the Licence Ouverte asks for it)."""
        return self._metadata

    def departement_name(self, code: str) -> str | None:
        """'Ille-et-Vilaine' for '35'."""
        return self._departements.get(code)

    def by_code(self, code: str) -> Place | None:
        """The commune with this INSEE code or the EPCI with this SIREN."""
        i = self._by_code.get(code.strip().upper())
        return None if i is None else self._place(i)

    def search(self, query: str, limit: int = 20) -> list[Place]:
        """Best matches first: exact name, name prefix, word prefix, all words in any order; then population."""
        if limit <= 0:
            return []
        folded = fold(query)
        if not folded:
            return []
        tokens = folded.split()
        codes = [t.upper() for t in tokens if _CODE_TOKEN.fullmatch(t)]
        words = [t for t in tokens if not _CODE_TOKEN.fullmatch(t)]
        if not words:
            if len(codes) > 1 and all(c.isdigit() for c in codes):
                codes = ["".join(codes)]  # "35 000"
            if len(codes) != 1:
                return []
            tiers = self._match_code(codes[0])
        else:
            text = " ".join(words)
            tiers = self._match_text(text, None if codes else limit)
            if codes:
                tiers = {i: t for i, t in tiers.items() if all(self._has_code(i, c) for c in codes)}
        import heapq  # the list's own modules load with it, not with the window (gzip, resources)

        best = heapq.nsmallest(limit, tiers.items(), key=lambda it: (it[1], -self._population[it[0]], it[0]))
        return [self._place(i) for i, _ in best]

    def _match_code(self, code: str) -> dict[int, int]:
        """Postal or INSEE code (2-5 characters), or SIREN (6-9 digits): exact 0, prefix 1."""
        tiers: dict[int, int] = {}
        if len(code) > 9 or (len(code) > 5 and not code.isdigit()):
            return tiers
        lo = bisect.bisect_left(self._code_keys, code)
        hi = bisect.bisect_left(self._code_keys, code + _HIGH, lo)
        wanted = "epci" if len(code) > 5 else "commune"  # a SIREN prefix, else a postal or INSEE code
        for k in range(lo, hi):
            i = self._code_ids[k]
            if self._rows[i][0] != wanted:
                continue
            tier = 0 if self._code_keys[k] == code else 1
            if tiers.get(i, 9) > tier:
                tiers[i] = tier
        return tiers

    def _match_text(self, text: str, enough: int | None) -> dict[int, int]:
        """Tier per entry for a folded text; stops adding lower tiers once ``enough`` better ones are found."""
        variants = dict.fromkeys((text, expand(text)))
        tiers: dict[int, int] = {}
        for variant in variants:
            for k in self._range(self._start_keys, variant):
                i = self._start_ids[k]
                tier = 0 if self._start_keys[k] == variant else 1
                if tiers.get(i, 9) > tier:
                    tiers[i] = tier
        if enough is not None and len(tiers) >= enough:
            return tiers
        for variant in variants:
            for k in self._range(self._inner_keys, variant):
                tiers.setdefault(self._inner_ids[k], 2)
        if (enough is None or len(tiers) < enough) and " " in text:
            for variant in variants:
                for i in self._all_words(variant.split()):
                    tiers.setdefault(i, 3)
        return tiers

    def _all_words(self, tokens: list[str]) -> Iterable[int]:
        """Entries where every token starts some word, in any order ("aubin cormier", "cc pays vitre")."""
        ranges = []
        for token in set(tokens):
            starts = self._range(self._start_keys, token)
            inner = self._range(self._inner_keys, token)
            ranges.append((len(starts) + len(inner), token, starts, inner))
        ranges.sort()
        _, _, starts, inner = ranges[0]
        rest = [token for _, token, _, _ in ranges[1:]]
        candidates = {self._start_ids[k] for k in starts} | {self._inner_ids[k] for k in inner}
        for i in candidates:
            words = self._words[i]
            if all(any(w.startswith(t) for w in words) for t in rest):
                yield i

    @staticmethod
    def _range(keys: list[str], prefix: str) -> range:
        lo = bisect.bisect_left(keys, prefix)
        return range(lo, bisect.bisect_left(keys, prefix + _HIGH, lo))

    def _has_code(self, i: int, code: str) -> bool:
        """A code typed next to a name ("saint aubin 35"): the département, INSEE code or a postal code."""
        row = self._rows[i]
        return (row[3] or "").startswith(code) or row[1].startswith(code) or any(cp.startswith(code) for cp in row[5])

    def _place(self, i: int) -> Place:
        place = self._places[i]
        if place is None:
            place = self._places[i] = Place(*self._rows[i])
        return place

    def __len__(self) -> int:
        return len(self._rows)


def _commune_row(c: Mapping[str, Any], epci_names: Mapping[str, str]) -> tuple[Any, ...]:
    """A commune record of the extract as the fields of a Place."""
    epci = c.get("epci")
    name = epci_names.get(epci) if epci else None
    return (
        "commune",
        c["code"],
        c["nom"],
        c.get("dep"),
        c.get("pop"),
        tuple(c.get("cp") or ()),
        epci,
        name,
        None,
        None,
    )


def _sorted_pairs(keys: list[str], ids: list[int]) -> tuple[list[str], list[int]]:
    """Both lists in key order (sorting indices by a string key is much faster than sorting tuples)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[k] for k in order], [ids[k] for k in order]


def _read(path: str | Path | None) -> dict[str, Any]:
    """Decompress and parse the extract, as a French error if it is missing or damaged."""
    try:
        if path is None:
            from importlib import resources

            blob = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_bytes()
        else:
            blob = Path(path).read_bytes()
        import gzip

        data = json.loads(gzip.decompress(blob))
    except (OSError, ValueError, ModuleNotFoundError) as exc:
        raise CommuneDataUnavailable(
            "La liste des communes fournie avec Arobase est introuvable ou abîmée ; "
            "saisissez le nom, le code INSEE et le département à la main."
        ) from exc
    if not isinstance(data, dict) or "communes" not in data:
        raise CommuneDataUnavailable("La liste des communes fournie avec Arobase n'a pas le format attendu.")
    return data


def search(query: str, limit: int = 20) -> list[Place]:
    """Search the packaged list (loaded on first use)."""
    return CommuneIndex.load().search(query, limit)
