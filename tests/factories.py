"""Builders of realistic dossiers for the tests (plain data, no mocks), and of a really damaged store file."""

from __future__ import annotations

import random
import sqlite3
import uuid
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.edition import Edition
from app.model import ActionData, Address, DossierData, EpciAnswerData, Profile

FIXED_NOW = datetime(2026, 11, 23, 10, 30, 0)


def fixed_clock() -> datetime:
    return FIXED_NOW


def commune_profile(**changes: Any) -> Profile:
    base = Profile(
        name="Saint-Aubin-des-Landes",
        kind="commune",
        code="35248",
        departement="35",
        population=1047,
        street="1 place de la Mairie",
        postal_code="35500",
        city="Saint-Aubin-des-Landes",
        referent_name="Claire Le Goff",
        referent_role="Secrétaire de mairie",
        referent_email="mairie@saint-aubin-des-landes.fr",
        referent_phone="02 99 49 00 00",
    )
    return base.updated(**changes)


def action(edition: Edition, n: int = 0, **changes: Any) -> ActionData:
    services = edition.services
    base = ActionData(
        uuid=str(uuid.UUID(int=n + 1)),
        title=f"Atelier numérique n° {n + 1}",
        synthesis="Des ateliers d'initiation à l'ordinateur et aux démarches en ligne, chaque mardi à la médiathèque.",
        level="en-cours",
        results="42 habitants accompagnés ; 12 démarches de carte grise réussies.",
        tools="Ordinateurs portables reconditionnés, vidéoprojecteur",
        partners="Espace France Services, association Les Cyber-Aînés",
        delivered_by="collectivite",
        start_date=date(2025, 9, 1),
        end_date=None,
        web_link="https://www.saint-aubin-des-landes.fr/ateliers",
        services=(services[n % len(services)].id,),
        addresses=(Address("Médiathèque", "2 rue des Écoles", "35500", "Saint-Aubin-des-Landes"),),
        attachments=(),
    )
    return base.updated(**changes)


def complete_dossier(edition: Edition, n_actions: int = 3, **changes: Any) -> DossierData:
    """A dossier that passes the completeness check."""
    base = DossierData(
        edition=edition.id,
        profile=commune_profile(),
        actions=tuple(action(edition, i) for i in range(n_actions)),
        epci_answers=(),
    )
    return DossierData(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def epci_answers(edition: Edition) -> tuple[EpciAnswerData, ...]:
    return tuple(EpciAnswerData(c.id, i % 2 == 0, f"Précisions {i}") for i, c in enumerate(edition.epci_criteria))


def damage_middle_pages(path: Path, seed: int = 5) -> bytes:
    """Overwrite the middle third of a closed store's pages with random bytes, as a failing disk would;
    return the damaged bytes. The header and the first pages stay, so SQLite still opens the file."""
    with closing(sqlite3.connect(path)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    pages = len(data) // page_size
    assert pages >= 6, f"{path} is too small to damage in the middle ({pages} pages)"
    rng = random.Random(seed)
    for page in range(pages // 3, 2 * pages // 3):
        data[page * page_size : (page + 1) * page_size] = rng.randbytes(page_size)
    path.write_bytes(bytes(data))
    return bytes(data)


def dump_store(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store file, read with a separate raw connection (order-independent)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def bundle_file(target: Path, dossier: dict[str, Any], pieces: dict[str, bytes], folder: Path) -> Path:
    """A ``.arobase`` bundle written by the real writer: ``pieces`` (name → bytes) become the first action's
    attachments (their files are put in ``folder``)."""
    import copy
    import hashlib

    from sync.bundle_format import write_bundle
    from sync.dossier_format import snapshot_hash

    dossier = copy.deepcopy(dossier)
    files = {}
    for name, data in pieces.items():
        sha = hashlib.sha256(data).hexdigest()
        (folder / sha).write_bytes(data)
        files[sha] = folder / sha
        ref = {"sha256": sha, "size": len(data), "media_type": "application/octet-stream", "name": name}
        dossier["actions"][0]["attachments"].append(ref)
    body = {
        "submission_uuid": str(uuid.uuid4()), "edition": dossier["edition"], "revision": dossier["revision"],
        "replaces": None, "payload_sha256": snapshot_hash(dossier), "dossier": dossier,
    }  # fmt: skip
    return write_bundle(target, body, files)


def rewrite_zip(source: Path, target: Path, change: Any) -> None:
    """Copy the ZIP ``source`` to ``target`` after ``change(items)`` edited its entries (name → bytes)."""
    import zipfile

    with zipfile.ZipFile(source) as z:
        items = {i.filename: z.read(i.filename) for i in z.infolist()}
    change(items)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items.items():
            z.writestr(name, data)
