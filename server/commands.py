"""What each ``arobase-server`` command does; errors a person can fix become ``UserError`` (exit 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from server import accounts, editions
from server.db import Database
from server.errors import EXIT_OK, UserError
from server.migrate import current_revision, head_revision, upgrade
from server.receipts import Signer, SigningKeyMissing
from server.services import utc_now
from server.settings import Settings, SettingsError

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise UserError(str(exc)) from None


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    try:
        yield db
    except (OperationalError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise UserError(f"la base de données est inaccessible ({reason})") from None
    finally:
        db.dispose()


def _ready(db: Database) -> None:
    if current_revision(db) != head_revision():
        raise UserError("la base du serveur n'est pas prête : lancez d'abord « arobase-server init »")


def init(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _database(settings) as db:
        upgrade(db)
        path = settings.signing_key_path
        signer = Signer.load(path) if path.exists() else Signer.create(path)
        now = utc_now()
        with db.write() as s:
            signer.register(s, now)
            published = [
                editions.publish(s, editions.read_edition_file(f), now) for f in editions.bundled_edition_files()
            ]
    print(f"Base prête ({settings.database_url.split('://', 1)[0]}), schéma {head_revision()}.")
    print(f"Clé de signature {signer.key_id} : {path}")
    for row, changed in published:
        print(f"Édition {row.id} {'publiée' if changed else 'déjà à jour'}.")
    return EXIT_OK


def _with_db(settings: Settings, work: Callable[[Database], T]) -> T:
    with _database(settings) as db:
        _ready(db)
        return work(db)


def add_collectivity(settings: Settings, args: argparse.Namespace) -> int:
    if args.days < 1:
        raise UserError("--days doit valoir au moins 1")

    def work(db: Database) -> tuple[str, str, str]:
        with db.write() as s:
            row, code = accounts.add_collectivity(s, args.code, args.name, args.email, utc_now(), args.days * 86400)
            return row.name, row.code, code

    try:
        name, code_insee, code = _with_db(settings, work)
    except accounts.AccountError as exc:
        raise UserError(str(exc)) from None
    print(f"Collectivité {name} ({code_insee}) inscrite.")
    print(f"Code d'activation, à usage unique, valable {args.days} jours :")
    print(code)
    return EXIT_OK


def add_staff(settings: Settings, args: argparse.Namespace) -> int:
    def work(db: Database) -> str:
        with db.write() as s:
            return accounts.add_staff(s, args.email, utc_now())

    try:
        password = _with_db(settings, work)
    except accounts.AccountError as exc:
        raise UserError(str(exc)) from None
    print(f"Compte {args.email.strip().lower()} prêt. Mot de passe provisoire, à changer à la première connexion :")
    print(password)
    return EXIT_OK


def revoke_device(settings: Settings, args: argparse.Namespace) -> int:
    def work(db: Database) -> str:
        with db.write() as s:
            return accounts.revoke_device(s, args.device, utc_now()).name

    try:
        name = _with_db(settings, work)
    except accounts.AccountError as exc:
        raise UserError(str(exc)) from None
    print(f"Appareil « {name} » révoqué : ses jetons ne valent plus.")
    return EXIT_OK


def publish_edition(settings: Settings, args: argparse.Namespace) -> int:
    try:
        document = editions.read_edition_file(Path(args.file))
    except editions.EditionFileError as exc:
        raise UserError(str(exc)) from None

    def work(db: Database) -> bool:
        with db.write() as s:
            return editions.publish(s, document, utc_now())[1]

    changed = _with_db(settings, work)
    print(f"Édition {document['edition']} {'publiée' if changed else 'déjà publiée à l’identique'}.")
    return EXIT_OK


def serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if not 0 < args.port < 65536:
        raise UserError(f"port {args.port} impossible (1 à 65535)")
    if args.workers < 1:
        raise UserError("--workers doit valoir au moins 1")
    _with_db(settings, lambda db: None)
    try:
        Signer.load(settings.signing_key_path)
    except SigningKeyMissing as exc:
        raise UserError(str(exc)) from None
    print(f"Serveur Arobase sur http://{args.host}:{args.port}/api/v1 ({args.workers} processus). Ctrl+C arrête.")
    uvicorn.run(
        "server.app:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
        log_level="warning", proxy_headers=True, timeout_graceful_shutdown=5,
    )  # fmt: skip
    return EXIT_OK


def export(settings: Settings, args: argparse.Namespace) -> int:
    from server.blobs import open_blob_store
    from server.export import ExportError, export_edition

    try:
        count = _with_db(
            settings, lambda db: export_edition(db, open_blob_store(settings.blobs), args.edition, Path(args.out))
        )
    except ExportError as exc:
        raise UserError(str(exc)) from None
    print(f"{count} dossier(s) de l'édition {args.edition} exporté(s) dans {args.out}.")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.command == "init":
        return init(settings)
    handlers = {
        "serve": serve, "add-collectivity": add_collectivity, "add-staff": add_staff, "revoke-device": revoke_device,
        "publish-edition": publish_edition, "export": export,
    }  # fmt: skip
    return handlers[args.command](settings, args)
