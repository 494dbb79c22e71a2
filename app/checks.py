"""The completeness check: every problem of a dossier, in French, with its field and whether it blocks.

Validation is refused while a blocking problem remains; the others are advice (for example an action
the jury will not count because it ended more than two years ago).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app import formats
from app.edition import Edition
from app.model import KIND_LABELS, ActionData, DossierData


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``field`` is ``profile.<name>``, ``action:<uuid>.<name>``, ``epci:<id>`` or ``dossier``."""

    code: str
    message: str
    field: str
    blocking: bool
    action_uuid: str | None = None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_dossier(
    edition: Edition, dossier: DossierData, today: date, has_file: Callable[[str], bool] | None = None
) -> list[Problem]:
    """List every problem, blocking ones first, in the order of the dossier."""
    problems = _profile_problems(dossier)
    if not dossier.actions:
        problems.append(
            Problem(
                "no_action",
                "Le dossier ne contient encore aucune action : décrivez au moins "
                "une action numérique de la collectivité.",
                "dossier",
                True,
            )
        )
    for index, action in enumerate(dossier.actions, start=1):
        problems += _action_problems(edition, action, index, today, has_file)
    if dossier.profile.kind == "epci":
        answered = {a.criterion for a in dossier.epci_answers if a.answer is not None}
        for crit in edition.epci_criteria:
            if crit.id not in answered:
                problems.append(
                    Problem(
                        "epci_unanswered",
                        f"Critère intercommunal sans réponse : « {crit.label} ».",
                        f"epci:{crit.id}",
                        True,
                    )
                )
    if edition.closes and today > edition.closes:
        problems.append(
            Problem(
                "deadline_passed",
                f"La participation à l'édition {edition.id} a fermé le {_fr(edition.closes)} : "
                "contactez l'association Villes Internet avant d'envoyer le dossier.",
                "dossier",
                False,
            )
        )
    problems.sort(key=lambda p: not p.blocking)
    return problems


def _profile_problems(dossier: DossierData) -> list[Problem]:
    p = dossier.profile
    out: list[Problem] = []

    def add(code: str, msg: str, field: str, blocking: bool = True) -> None:
        out.append(Problem(code, msg, f"profile.{field}", blocking))

    if not p.name.strip():
        add("profile_name", "Le nom de la collectivité n'est pas renseigné.", "name")
    if not p.code.strip():
        what = "SIREN" if p.kind == "epci" else "INSEE"
        add("profile_code", f"Le code {what} de la collectivité n'est pas renseigné.", "code")
    elif p.kind == "commune" and not formats.is_insee(p.code):
        add(
            "profile_code",
            f"Le code INSEE « {p.code} » n'a pas la bonne forme (5 caractères, par exemple 35238 ou 2A004).",
            "code",
        )
    elif p.kind == "epci" and not formats.is_siren(p.code):
        add("profile_code", f"Le numéro SIREN « {p.code} » n'est pas valide (9 chiffres, clé de contrôle).", "code")
    if p.departement.strip() and not formats.is_departement(p.departement):
        add("profile_departement", f"Le département « {p.departement} » n'existe pas.", "departement", False)
    if p.epci_code.strip() and not formats.is_siren(p.epci_code):
        add(
            "profile_epci_code",
            f"Le SIREN de l'intercommunalité « {p.epci_code} » n'est pas valide.",
            "epci_code",
            False,
        )
    if p.population is None:
        add(
            "profile_population",
            f"La population de la {KIND_LABELS[p.kind].lower()} n'est pas renseignée.",
            "population",
            False,
        )
    if p.postal_code.strip() and not formats.is_postal_code(p.postal_code):
        add("profile_postal_code", f"Le code postal « {p.postal_code} » doit avoir 5 chiffres.", "postal_code", False)
    if not p.referent_name.strip():
        add("referent_name", "Le nom du référent n'est pas renseigné.", "referent_name")
    if not p.referent_email.strip():
        add("referent_email", "Le courriel du référent n'est pas renseigné.", "referent_email")
    elif not formats.is_email(p.referent_email):
        add("referent_email", f"Le courriel « {p.referent_email} » n'est pas une adresse valide.", "referent_email")
    if p.referent_phone.strip() and not formats.is_phone(p.referent_phone):
        add(
            "referent_phone",
            f"Le numéro « {p.referent_phone} » n'est pas un téléphone français valide.",
            "referent_phone",
            False,
        )
    return out


def _action_problems(
    edition: Edition, a: ActionData, index: int, today: date, has_file: Callable[[str], bool] | None
) -> list[Problem]:
    name = f"« {a.title.strip()} »" if a.title.strip() else f"n° {index} (sans titre)"
    out: list[Problem] = []

    def add(code: str, msg: str, field: str, blocking: bool = True) -> None:
        out.append(Problem(code, msg, f"action:{a.uuid}.{field}", blocking, a.uuid))

    if not a.title.strip():
        add("action_title", f"L'action {name} n'a pas de titre.", "title")
    if not a.synthesis.strip():
        add("action_synthesis", f"L'action {name} n'a pas de synthèse.", "synthesis")
    if not a.services:
        add(
            "action_services",
            f"L'action {name} n'est liée à aucun service : choisissez au moins un service qu'elle rend.",
            "services",
        )
    for sid in a.services:
        if not edition.has_service(sid):
            add(
                "action_service_unknown",
                f"L'action {name} est liée au service « {sid} », qui n'existe pas dans "
                f"l'édition {edition.id} : liez-la à un service de cette édition.",
                "services",
            )
    if a.level is None:
        add("action_level", f"Le niveau de réalisation de l'action {name} n'est pas indiqué.", "level")
    elif not edition.has_level(a.level):
        add(
            "action_level",
            f"Le niveau « {a.level} » de l'action {name} n'existe pas dans l'édition {edition.id}.",
            "level",
        )
    else:
        top = edition.top_level
        lowest = min(edition.levels, key=lambda lv: lv.rank)
        if a.level == lowest.id and lowest.id != top.id:
            add(
                "action_not_started",
                f"L'action {name} est « {lowest.label.lower()} » : le jury ne compte que "
                "les actions en cours ou terminées depuis moins de deux ans.",
                "level",
                False,
            )
        if a.level == top.id and a.end_date is None:
            add(
                "action_end_missing",
                f"L'action {name} est réalisée : indiquez sa date de fin, le jury ne compte "
                "que les actions terminées depuis moins de deux ans.",
                "end_date",
                False,
            )
    if a.end_date and a.end_date < _years_before(today, 2):
        add(
            "action_too_old",
            f"L'action {name} s'est terminée le {_fr(a.end_date)}, il y a plus de deux ans : "
            "le jury ne la comptera pas. Mettez-la à jour ou retirez-la.",
            "end_date",
            False,
        )
    if a.start_date and a.start_date > today and a.level != edition.levels[0].id:
        add(
            "action_future",
            f"L'action {name} commence le {_fr(a.start_date)}, dans le futur, mais n'est pas « en projet ».",
            "start_date",
            False,
        )
    if a.web_link.strip() and not formats.is_web_link(a.web_link):
        add(
            "action_web_link",
            f"Le lien web de l'action {name} doit commencer par http:// ou https://.",
            "web_link",
            False,
        )
    if has_file is not None:
        for att in a.attachments:
            if not has_file(att.sha256):
                add(
                    "attachment_missing",
                    f"La pièce jointe « {att.name} » de l'action {name} est introuvable sur "
                    "cet ordinateur : joignez-la de nouveau.",
                    "attachments",
                )
    return out


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]
