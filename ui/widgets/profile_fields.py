"""The collectivity's profile fields as the window shows them: labels with their keyboard letter, hints,
format rules in words, and the one line edit built from them.

The profile page and the first-run assistant both build their fields with ``profile_field``: the same
checks and the same sentences wherever the referent or the code is typed. The rules only advise (a value
in a wrong format is still stored as work in progress); the controller decides what is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app import formats
from app.editing import MAX_POPULATION
from app.formats import thousands
from app.model import PROFILE_LABELS
from ui.qt import QLabel, QWidget
from ui.widgets.validated_line_edit import Rule, ValidatedLineEdit

SEARCH_LABEL = "&Rechercher votre collectivité : nom ou code postal"

CODE_LABELS = {"commune": "C&ode INSEE :", "epci": "C&ode SIREN :", "autre": "C&ode INSEE ou SIREN :"}
CODE_NAMES = {"commune": "Code INSEE", "epci": "Code SIREN", "autre": "Code INSEE ou SIREN"}
CODE_PLACEHOLDERS = {
    "commune": "par exemple 35238 (ou 2A004 en Corse)",
    "epci": "par exemple 243500139 (9 chiffres)",
    "autre": "code INSEE (5 caractères) ou SIREN (9 chiffres)",
}

INSEE_MESSAGE = "Le code INSEE a 5 caractères, par exemple 35238 ou 2A004."
SIREN_LENGTH_MESSAGE = "Le numéro SIREN a 9 chiffres, par exemple 243 500 139."
SIREN_KEY_MESSAGE = (
    "Ce numéro SIREN n'existe pas : un chiffre est sans doute mal tapé (la clé de contrôle ne correspond pas)."
)
OTHER_CODE_MESSAGE = "Indiquez un code INSEE (5 caractères, par exemple 35238) ou un numéro SIREN (9 chiffres)."
DEPARTEMENT_MESSAGE = "Le département s'écrit avec 2 ou 3 caractères, par exemple 35, 2A ou 974."
CORSICA_MESSAGE = "Le département 20 n'existe plus : la Corse est 2A (Corse-du-Sud) ou 2B (Haute-Corse)."
POSTAL_MESSAGE = "Le code postal a 5 chiffres, par exemple 35500."
EMAIL_MESSAGE = "L'adresse de courriel a la forme nom@domaine.fr, par exemple mairie@saint-aubin.fr."
PHONE_MESSAGE = "Le numéro de téléphone a 10 chiffres, par exemple 02 99 49 00 00 (ou +33 2 99 49 00 00)."
POPULATION_MESSAGE = (
    "La population s'écrit en chiffres, par exemple 1 047. Laissez le champ vide si vous ne la connaissez pas."
)
POPULATION_MAX_MESSAGE = f"La population ne peut pas dépasser {thousands(MAX_POPULATION)} habitants."


@dataclass(frozen=True, slots=True)
class FieldSpec:
    label: str  # with its mnemonic
    placeholder: str
    tooltip: str
    required: bool = False


FIELDS: dict[str, FieldSpec] = {
    "name": FieldSpec(
        "Nom de la collecti&vité :",
        "par exemple Saint-Aubin-des-Landes",
        "Le nom officiel de la commune ou de l'intercommunalité.",
        True,
    ),
    "kind": FieldSpec("T&ype de collectivité :", "", "Commune, intercommunalité (EPCI) ou autre collectivité."),
    "code": FieldSpec(
        CODE_LABELS["commune"],
        CODE_PLACEHOLDERS["commune"],
        "Le code officiel : code INSEE d'une commune (pas le code postal), SIREN d'une intercommunalité.",
        True,
    ),
    "departement": FieldSpec(
        "Départe&ment :",
        "par exemple 35, 2A ou 974",
        "Le numéro du département : 2 chiffres, 2A/2B ou 3 chiffres outre-mer.",
    ),
    "population": FieldSpec(
        "Pop&ulation :",
        "inconnue",
        "Le nombre d'habitants (population municipale). Laissez vide s'il est inconnu.",
    ),
    "epci_name": FieldSpec(
        "&Intercommunalité :",
        "par exemple Rennes Métropole",
        "L'intercommunalité (EPCI) dont la commune est membre ; remplie par la liste officielle.",
    ),
    "epci_code": FieldSpec(
        "SIRE&N de l'intercommunalité :",
        "par exemple 243500139",
        "Le numéro SIREN de l'intercommunalité : 9 chiffres.",
    ),
    "street": FieldSpec(
        "Adre&sse :", "par exemple 1 place de la Mairie", "L'adresse postale de la mairie ou du siège."
    ),
    "postal_code": FieldSpec("Code &postal :", "par exemple 35500", "Le code postal de l'adresse : 5 chiffres."),
    "city": FieldSpec("&Commune :", "par exemple Saint-Aubin-des-Landes", "La commune de l'adresse postale."),
    "referent_name": FieldSpec(
        "Nom du référ&ent :", "prénom et nom", "La personne que l'association Villes Internet peut contacter.", True
    ),
    "referent_role": FieldSpec(
        "Fonc&tion du référent :", "par exemple secrétaire de mairie", "Sa fonction ou son mandat."
    ),
    "referent_email": FieldSpec(
        "Courrie&l du référent :", "par exemple mairie@saint-aubin.fr", "L'adresse de courriel du référent.", True
    ),
    "referent_phone": FieldSpec(
        "Télép&hone du référent :", "par exemple 02 99 49 00 00", "Un numéro français : 10 chiffres, ou +33…"
    ),
}
GROUPS = (
    ("Collectivité", ("name", "kind", "code", "departement", "population", "epci_name", "epci_code")),
    ("Adresse de la mairie ou du siège", ("street", "postal_code", "city")),
    ("Référent pour l'association", ("referent_name", "referent_role", "referent_email", "referent_phone")),
)

_INSEE_PARTIAL = re.compile(r"\d{0,5}|2(?:[AB]\d{0,3})?")
_DEPARTEMENT_PARTIAL = re.compile(r"\d{0,3}|2[AB]?")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


# ---------------------------------------------------------------------- format rules (app.formats + words)


def _insee(text: str) -> str:
    return "" if formats.is_insee(text) else INSEE_MESSAGE


def _siren(text: str) -> str:
    digits = _SPACES.sub("", text)
    if not (len(digits) == 9 and digits.isdigit()):
        return SIREN_LENGTH_MESSAGE
    return "" if formats.is_siren(digits) else SIREN_KEY_MESSAGE


def _insee_partial(text: str) -> bool:
    return bool(_INSEE_PARTIAL.fullmatch(text.strip().upper()))


def _siren_partial(text: str) -> bool:
    digits = _SPACES.sub("", text)
    return (digits.isdigit() and len(digits) < 9) or digits == ""


CODE_RULES = {
    "commune": Rule(_insee, _insee_partial),
    "epci": Rule(_siren, _siren_partial),
    "autre": Rule(
        lambda t: "" if formats.is_insee(t) or formats.is_siren(_SPACES.sub("", t)) else OTHER_CODE_MESSAGE,
        lambda t: _insee_partial(t) or _siren_partial(t),
    ),
}


def _departement(text: str) -> str:
    if formats.is_departement(text):
        return ""
    return CORSICA_MESSAGE if text.strip() == "20" else DEPARTEMENT_MESSAGE


def parse_population(text: str) -> int | None:
    """'1 047' → 1047, '' → None (unknown); ValueError when it is not a whole number."""
    digits = _SPACES.sub("", text).replace(".", "")
    if not digits:
        return None
    if not digits.isdigit():
        raise ValueError(text)
    return int(digits)


def _population(text: str) -> str:
    try:
        value = parse_population(text)
    except ValueError:
        return POPULATION_MESSAGE
    return POPULATION_MAX_MESSAGE if value is not None and value > MAX_POPULATION else ""


RULES: dict[str, Rule] = {
    "epci_code": Rule(_siren, _siren_partial),
    "departement": Rule(_departement, lambda t: bool(_DEPARTEMENT_PARTIAL.fullmatch(t.strip().upper()))),
    "population": Rule(_population, lambda t: _SPACES.sub("", t).replace(".", "").isdigit()),
    "postal_code": Rule(
        lambda t: "" if formats.is_postal_code(t) else POSTAL_MESSAGE,
        lambda t: bool(re.fullmatch(r"\d{0,5}", t.strip())),
    ),
    "referent_email": Rule(
        lambda t: "" if formats.is_email(t) else EMAIL_MESSAGE,
        lambda t: not re.search(r"\s", t.strip()) and t.count("@") <= 1,
    ),
    "referent_phone": Rule(
        lambda t: "" if formats.is_phone(t) else PHONE_MESSAGE,
        lambda t: bool(re.fullmatch(r"[\d\s.\-()+\u00a0\u202f]*", t)) and sum(c.isdigit() for c in t) <= 12,
    ),
}
# Normalised when the user leaves the field (never while typing: the cursor must not jump).
UPPER_FIELDS = ("code", "departement")


def profile_field(parent: QWidget, name: str) -> tuple[QLabel, ValidatedLineEdit]:
    """A text field of the profile as this page shows it (label and buddy, rule, placeholder, names, tip).

    The first-run assistant asks for the referent with the same fields: same checks, same sentences.
    """
    spec = FIELDS[name]
    line = ValidatedLineEdit(parent, RULES.get(name, CODE_RULES["commune"] if name == "code" else None))
    line.setObjectName(f"profile-{name}")
    line.setPlaceholderText(spec.placeholder)
    line.setClearButtonEnabled(False)
    line.setAccessibleName(PROFILE_LABELS[name] + (" (obligatoire)" if spec.required else ""))
    line.setToolTip(spec.tooltip)
    label = QLabel(spec.label, parent)
    label.setBuddy(line)
    return label, line


def population_display(value: int | None) -> str:
    return "" if value is None else thousands(value)
