"""Write ``resources/exemples/dossier-exemple-2019.json``: a fictional commune's dossier, for screenshots,
demos and training.

    .venv/bin/python tools/build_example.py [--out FICHIER.json]

A developer's tool, kept out of the shipped ``resources`` package (it imports ``app``).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.interchange import to_document
from app.model import ActionData, Address, DossierData, Profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "resources" / "exemples" / "dossier-exemple-2019.json"

NS = uuid.UUID("5f0e4c2a-9a53-4d55-8a8e-2b8f3f0c0a19")
MAIRIE = Address("Mairie", "1 place de l'Église", "29999", "Landévran-Exemple")
MEDIATHEQUE = Address("Médiathèque « La Grange »", "4 rue des Tisserands", "29999", "Landévran-Exemple")
ECOLE = Address("École publique Jules-Verne", "12 route de Brest", "29999", "Landévran-Exemple")

ACTIONS = [
    (
        "Ateliers « Premiers pas numériques » à la médiathèque",
        "Chaque mardi après-midi, une conseillère numérique accompagne les habitants (souvent retraités) pour "
        "apprendre à se servir d'une tablette, d'une messagerie et des démarches en ligne (ANTS, impots.gouv, Ameli).",
        "en-cours",
        ("mediation-02", "mediation-01", "efficacite-03"),
        date(2024, 9, 3),
        None,
        (MEDIATHEQUE,),
        "38 personnes accompagnées en 2025 ; 11 ont fait seules leur déclaration de revenus en ligne.",
        "6 tablettes, un vidéoprojecteur, le wifi public de la médiathèque",
        "Conseillère numérique France Services, Club des aînés",
        "collectivite",
    ),
    (
        "Paiement en ligne de la cantine et de la garderie",
        "Les familles inscrivent leurs enfants et paient la cantine et la garderie depuis le portail famille, "
        "sans passer en mairie. Un poste reste en accès libre en mairie pour celles qui n'ont pas d'ordinateur.",
        "realise",
        ("efficacite-02", "vie-quotidienne-04", "education-01"),
        date(2023, 1, 9),
        date(2025, 6, 30),
        (MAIRIE, ECOLE),
        "82 % des familles paient en ligne ; la régie a diminué de moitié le temps de saisie.",
        "Portail famille mutualisé du syndicat informatique départemental",
        "Syndicat mixte Mégalis Bretagne",
        "delegataire",
    ),
    (
        "Conseils municipaux retransmis en direct",
        "Les séances du conseil municipal sont filmées et diffusées en direct, puis mises en ligne avec le "
        "compte rendu, pour les habitants qui ne peuvent pas se déplacer le soir.",
        "en-cours",
        ("democratie-locale-08",),
        date(2025, 3, 1),
        None,
        (MAIRIE,),
        "Entre 40 et 120 spectateurs par séance (la commune compte 1 050 habitants).",
        "Une caméra, un micro de table, la chaîne vidéo de la commune",
        "",
        "collectivite",
    ),
    (
        "Espace numérique de travail à l'école",
        "Les enseignants, les élèves et les familles échangent leçons, cahier de textes et messages dans un "
        "espace numérique de travail ; la commune a équipé les deux classes de tableaux numériques.",
        "realise",
        ("education-04", "education-08"),
        date(2022, 9, 1),
        date(2025, 7, 4),
        (ECOLE,),
        "Toutes les familles ont un compte ; 2 tableaux numériques installés.",
        "ENT académique, 2 tableaux blancs interactifs",
        "Éducation nationale (circonscription de Morlaix)",
        "collectivite",
    ),
    (
        "Alerte SMS des habitants",
        "En cas de tempête, de coupure d'eau ou de route fermée, la mairie prévient par SMS les habitants "
        "inscrits ; l'inscription se fait en ligne ou au secrétariat.",
        "en-cours",
        ("territoire-durable-02", "vie-quotidienne-03"),
        date(2024, 11, 15),
        None,
        (MAIRIE,),
        "312 foyers inscrits ; 9 alertes envoyées pendant l'hiver 2024-2025.",
        "Service d'envoi de SMS",
        "",
        "delegataire",
    ),
    (
        "Collecte et réemploi des ordinateurs de la mairie",
        "Les ordinateurs remplacés en mairie sont confiés à une association d'insertion qui les reconditionne et "
        "les revend à petit prix aux familles de la commune.",
        "realise",
        ("territoire-durable-01", "solidarite-02"),
        date(2025, 2, 1),
        date(2025, 4, 30),
        (MAIRIE,),
        "14 ordinateurs reconditionnés, 9 revendus à des familles, 5 donnés à l'école.",
        "",
        "Association Ordi'Solidaire (chantier d'insertion)",
        "association",
    ),
    (
        "Site de la commune accessible et lisible sur téléphone",
        "Refonte du site de la commune pour qu'il se lise sur téléphone et respecte le référentiel "
        "d'accessibilité (RGAA) : contrastes, textes alternatifs, navigation au clavier.",
        "projet",
        ("innovation-05", "mediation-04", "cohesion-sociale-08"),
        date(2026, 3, 1),
        None,
        (),
        "",
        "",
        "Agence web choisie après consultation",
        "delegataire",
    ),
    (
        "Registre des traitements et délégué à la protection des données",
        "La commune a désigné un délégué à la protection des données mutualisé et tient à jour le registre de "
        "ses traitements de données personnelles.",
        "realise",
        ("identite-03", "identite-04"),
        date(2023, 5, 1),
        date(2024, 1, 31),
        (MAIRIE,),
        "Registre de 23 traitements, publié sur le site.",
        "",
        "Centre de gestion du Finistère",
        "delegataire",
    ),
]


def build() -> DossierData:
    profile = Profile(
        name="Landévran-Exemple",
        kind="commune",
        code="29999",
        departement="29",
        population=1050,
        street="1 place de l'Église",
        postal_code="29999",
        city="Landévran-Exemple",
        referent_name="Anne Le Bihan",
        referent_role="Secrétaire de mairie",
        referent_email="mairie@landevran-exemple.fr",
        referent_phone="02 98 00 00 00",
    )
    actions = tuple(
        ActionData(
            uuid=str(uuid.uuid5(NS, title)),
            title=title,
            synthesis=synthesis,
            level=level,
            services=services,
            start_date=start,
            end_date=end,
            addresses=addresses,
            results=results,
            tools=tools,
            partners=partners,
            delivered_by=by,
            web_link="",
        )
        for title, synthesis, level, services, start, end, addresses, results, tools, partners, by in ACTIONS
    )
    return DossierData(edition="2019", profile=profile, actions=actions)


def main() -> None:
    parser = argparse.ArgumentParser(description="Écrire le dossier d'exemple (commune fictive).")
    parser.add_argument("--out", type=Path, default=EXAMPLE, help=f"fichier à écrire (par défaut {EXAMPLE})")
    target = parser.parse_args().out
    doc = to_document(build())
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
