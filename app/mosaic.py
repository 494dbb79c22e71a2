"""Figures of the mosaïque des enjeux: which services the actions cover, and at what level.

Pure computation on plain data, so the UI can recompute it on every edit without touching the
database, and the PDF and the CLI show exactly the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.edition import Edition, Level
from app.model import DossierData


@dataclass(frozen=True, slots=True)
class ServiceCoverage:
    service_id: str
    label: str
    action_uuids: tuple[str, ...]
    best_level: Level | None

    @property
    def covered(self) -> bool:
        return bool(self.action_uuids)


@dataclass(frozen=True, slots=True)
class SubThemeCoverage:
    subtheme_id: str
    title: str
    services: tuple[ServiceCoverage, ...]

    @property
    def covered(self) -> int:
        return sum(1 for s in self.services if s.covered)

    @property
    def total(self) -> int:
        return len(self.services)


@dataclass(frozen=True, slots=True)
class ThemeCoverage:
    theme_id: str
    title: str
    subthemes: tuple[SubThemeCoverage, ...]

    @property
    def covered(self) -> int:
        return sum(st.covered for st in self.subthemes)

    @property
    def total(self) -> int:
        return sum(st.total for st in self.subthemes)


@dataclass(frozen=True, slots=True)
class Coverage:
    edition: str
    themes: tuple[ThemeCoverage, ...]

    @property
    def covered(self) -> int:
        return sum(t.covered for t in self.themes)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.themes)

    def service(self, service_id: str) -> ServiceCoverage:
        for t in self.themes:
            for st in t.subthemes:
                for s in st.services:
                    if s.service_id == service_id:
                        return s
        raise KeyError(service_id)

    def subtheme(self, subtheme_id: str) -> SubThemeCoverage:
        for t in self.themes:
            for st in t.subthemes:
                if st.subtheme_id == subtheme_id:
                    return st
        raise KeyError(subtheme_id)


def coverage(edition: Edition, dossier: DossierData) -> Coverage:
    """For each service: the actions linked to it and the best level of realisation among them."""
    linked: dict[str, list[str]] = {}
    best: dict[str, Level] = {}
    for action in dossier.actions:
        level = edition.level(action.level) if action.level and edition.has_level(action.level) else None
        for sid in action.services:
            linked.setdefault(sid, []).append(action.uuid)
            if level and (sid not in best or level.rank > best[sid].rank):
                best[sid] = level
    themes = tuple(
        ThemeCoverage(
            th.id,
            th.title,
            tuple(
                SubThemeCoverage(
                    st.id,
                    st.title,
                    tuple(
                        ServiceCoverage(sv.id, sv.label, tuple(linked.get(sv.id, ())), best.get(sv.id))
                        for sv in st.services
                    ),
                )
                for st in th.subthemes
            ),
        )
        for th in edition.themes
    )
    return Coverage(edition.id, themes)
