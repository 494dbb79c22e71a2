"""The sending commands of ``arobase``: login, logout, send, outbox, editions --update, bundle, receipt.

Exit codes: 0 all was sent (or nothing to do); 1 something waits or needs attention; 2 bad input.
One French line per problem on standard error. The activation code comes from ``--code`` or standard
input and is never written anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli_common import edition_id_of, open_workspace, pinned_keys

EXIT_OK, EXIT_WAITING = 0, 1


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    from app.network import default_server

    net = argparse.ArgumentParser(add_help=False)
    net.add_argument("--proxy", metavar="URL", help="proxy à utiliser (sinon ceux du système)")
    net.add_argument("--ca-file", metavar="FICHIER", help="certificat d'autorité supplémentaire (PEM)")
    sp = sub.add_parser("login", parents=[net], help="connecter cet ordinateur au serveur de l'association")
    sp.add_argument("--server", metavar="URL", default=default_server(), help="adresse du serveur")
    sp.add_argument("--code", metavar="CODE", help="code d'activation reçu par courriel (sinon lu sur l'entrée)")
    sub.add_parser("logout", parents=[net], help="déconnecter cet ordinateur (l'appareil est retiré du serveur)")
    sp = sub.add_parser("send", parents=[common, net], help="envoyer les dossiers validés à l'association")
    sp.add_argument("--bundle", metavar="FICHIER", help="envoyer un fichier .arobase exporté sur un autre ordinateur")
    sp.add_argument("--server", metavar="URL", help="avec --bundle\u00a0: adresse du serveur (celle de la connexion)")
    sp = sub.add_parser("bundle", parents=[common], help="exporter l'envoi en attente dans un fichier .arobase")
    sp.add_argument("--edition", metavar="ANNÉE", help="édition (par défaut\u00a0: la plus récente ayant un dossier)")
    sp.add_argument("--out", metavar="FICHIER", required=True, help="fichier .arobase à écrire")
    sp = sub.add_parser(
        "receipt", parents=[common], help="imprimer l'accusé de réception (PDF), importer celui d'un envoi par fichier"
    )
    what = sp.add_mutually_exclusive_group(required=True)
    what.add_argument("--pdf", metavar="FICHIER", help="écrire l'accusé de réception à imprimer (PDF, une page)")
    what.add_argument("--import", dest="import_file", metavar="FICHIER", help="importer un accusé rapporté (.json)")
    sp.add_argument("--edition", metavar="ANNÉE", help="avec --pdf\u00a0: édition (par défaut\u00a0: la plus récente)")
    sp = sub.add_parser("outbox", parents=[common], help="lister les envois et leur état")
    sp.add_argument("--json", action="store_true", help="sortie JSON")
    sp = sub.add_parser("editions", parents=[net], help="éditions du questionnaire publiées par l'association")
    sp.add_argument("--update", action="store_true", required=True, help="télécharger les nouvelles éditions")


def _settings(args: argparse.Namespace, server: str = "") -> Any:
    from app.network import SyncSettings, checked_proxy, use_system_trust_store

    proxy = checked_proxy(getattr(args, "proxy", None) or "")
    use_system_trust_store()  # once, at the program's start of network work
    return SyncSettings(server=server, proxy=proxy, ca_bundle=getattr(args, "ca_file", None))


def _secrets() -> Any:
    from app.secrets import SecretStore

    return SecretStore()


def _warn_secrets(secrets: Any) -> None:
    if secrets.warning:
        print(f"arobase\u00a0: {secrets.warning}", file=sys.stderr)


def cmd_login(args: argparse.Namespace, _path: Path) -> int:
    from app.errors import InvalidInput
    from app.login import login
    from app.paths import account_file

    code = args.code if args.code is not None else sys.stdin.readline()
    if not code.strip():
        raise InvalidInput("Saisissez le code d'activation reçu par courriel (option --code ou entrée standard).")
    settings, secrets = _settings(args, args.server), _secrets()
    found = login(settings, settings.session(), secrets, account_file(), code)
    member = found.membership.get("member")
    year = found.membership.get("year", "")
    editions = ", ".join(e["id"] for e in found.open_editions) or "aucune"
    print(f"Connecté pour «\u00a0{found.collectivity['name']}\u00a0» (code {found.code}).")
    said = "oui" if member else "non"
    print(f"Adhésion à l'association pour {year}\u00a0: {said}. Éditions ouvertes\u00a0: {editions}.")
    _warn_secrets(secrets)
    return EXIT_OK


def cmd_logout(args: argparse.Namespace, _path: Path) -> int:
    from app.login import logout
    from app.paths import account_file

    settings = _settings(args)
    print(logout(settings, settings.session(), _secrets(), account_file()))
    return EXIT_OK


def cmd_send(args: argparse.Namespace, path: Path) -> int:
    from app import account as accounts
    from app.paths import account_file
    from app.sending import send_pending

    found = accounts.require(account_file())
    settings, secrets = _settings(args, found.server), _secrets()
    if args.bundle:
        return _send_bundle(args, found, settings, secrets)
    with open_workspace(path) as ws:
        report = send_pending(ws, found, settings, settings.session(), secrets)
    _warn_secrets(secrets)
    if report.problem:
        print(f"arobase\u00a0: {report.problem}", file=sys.stderr)
    if not report.outcomes and report.problem is None:
        print("Rien à envoyer\u00a0: aucun dossier validé n'attend.")
    for o in report.outcomes:
        if o.state == "envoye":
            print(f"Édition {o.edition}, révision {o.revision}\u00a0: reçu, accusé {o.receipt_number}.")
        else:
            label = "à vérifier" if o.state == "a_verifier" else "en attente"
            line = f"édition {o.edition}, révision {o.revision} ({label})\u00a0: {o.message}"
            print(f"arobase\u00a0: {line}", file=sys.stderr)
    return EXIT_OK if report.all_sent else EXIT_WAITING


def _send_bundle(args: argparse.Namespace, found: Any, settings: Any, secrets: Any) -> int:
    from app.bundle import read_bundle, send_bundle
    from app.errors import InvalidInput
    from sync.client import check_server_url

    if args.server and check_server_url(args.server) != found.server:
        raise InvalidInput(f"Cet ordinateur est connecté à {found.server}\u00a0: reconnectez-le à {args.server}.")
    bundle_path = Path(args.bundle)
    receipt = send_bundle(read_bundle(bundle_path), found, settings, settings.session(), secrets)
    out = bundle_path.with_name(bundle_path.stem + "-accuse.json")
    out.write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Reçu par l'association, accusé {receipt['receipt_number']}. À rapporter à la mairie\u00a0: {out}")
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace, path: Path) -> int:
    from app.bundle import export_bundle

    with open_workspace(path) as ws:
        written = export_bundle(ws, edition_id_of(ws, args), Path(args.out))
    print(f"Envoi écrit dans {written}\u00a0: envoyez-le depuis un ordinateur connecté (arobase send --bundle).")
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace, path: Path) -> int:
    from app import account as accounts
    from app.bundle import import_receipt
    from app.paths import account_file

    if args.pdf:
        return _receipt_pdf(args, path)
    found = accounts.require(account_file())
    with open_workspace(path) as ws:
        number = import_receipt(ws, found, Path(args.import_file))
    print(f"Accusé {number} enregistré\u00a0: le dossier est reçu par l'association.")
    return EXIT_OK


def _receipt_pdf(args: argparse.Namespace, path: Path) -> int:
    """The receipt on paper, its signature checked now against the keys pinned at sign-in (if signed in)."""
    from app.errors import InvalidInput
    from app.pdf import build_receipt_pdf, receipt_source
    from app.receipts import check

    out = Path(args.pdf)
    if not out.parent.is_dir():
        raise InvalidInput(f"Le dossier {out.parent} n'existe pas : choisissez un dossier existant.")
    with open_workspace(path) as ws:
        source = receipt_source(ws, edition_id_of(ws, args), keys=pinned_keys())
    build_receipt_pdf(source, out)
    number = source.receipt.get("receipt_number")
    status = check(source.receipt, source.keys, source.payload_sha256)
    print(f"Accusé de réception {number} écrit dans {out}.")
    if not status.verified:
        print(f"arobase\u00a0: {status.text}", file=sys.stderr)
        return EXIT_WAITING
    return EXIT_OK


def cmd_outbox(args: argparse.Namespace, path: Path) -> int:
    from app import outbox

    with open_workspace(path) as ws:
        items = outbox.entries(ws)
    if args.json:
        print(json.dumps([e.as_json() for e in items], ensure_ascii=False, indent=2))
    else:
        if not items:
            print("Aucun envoi.")
        for e in items:
            extra = f" — {e.last_error}" if e.last_error else ""
            extra = f", accusé {e.receipt_number}" if e.receipt_number else extra
            print(f"Édition {e.edition}, révision {e.revision}\u00a0: {e.state_label}{extra}")
    return EXIT_OK if all(e.state == "envoye" for e in items) else EXIT_WAITING


def cmd_editions(args: argparse.Namespace, _path: Path) -> int:
    from app import account as accounts
    from app.editions_update import update_editions
    from app.paths import account_file, downloaded_editions_dir

    found = accounts.require(account_file())
    settings = _settings(args, found.server)
    new = update_editions(settings, settings.session(), _secrets(), found, account_file(), downloaded_editions_dir())
    print(f"Nouvelles éditions\u00a0: {', '.join(new)}." if new else "Aucune nouvelle édition.")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "login": cmd_login, "logout": cmd_logout, "send": cmd_send, "outbox": cmd_outbox, "editions": cmd_editions,
    "bundle": cmd_bundle, "receipt": cmd_receipt,
}  # fmt: skip
