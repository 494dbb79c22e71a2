"""``arobase-server``: set up, run and administer the association's server.

Exit codes: 0 success; 2 bad input or an unusable store (one French line on stderr); 3 an unexpected error.
``add-collectivity`` prints the activation code alone on the last line of standard output.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from server.errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, UserError

ENV_FLAGS = {
    "data": "AROBASE_SERVER_DATA",
    "database_url": "AROBASE_SERVER_DATABASE_URL",
    "blobs": "AROBASE_SERVER_BLOBS",
}

_FRENCH = (
    (re.compile(r"^argument COMMANDE: invalid choice: '?(.*?)'? \(choose from (.*)\)$"),
     lambda m: f"commande inconnue « {m[1]} » (commandes : {m[2].replace(chr(39), '')})"),
    (re.compile(r"^the following arguments are required: (.*)$"), lambda m: f"argument obligatoire manquant : {m[1]}"),
    (re.compile(r"^unrecognized arguments: (.*)$"), lambda m: f"argument non reconnu : {m[1]}"),
    (re.compile(r"^argument (.+?): expected one argument$"), lambda m: f"l'option {m[1]} attend une valeur"),
    (re.compile(r"^argument (.+?): invalid int value: '(.*)'$"),
     lambda m: f"{m[1]} attend un nombre entier, pas « {m[2]} »"),
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "arguments", "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "Utilisation :", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "Utilisation :", 1)

    def error(self, message: str) -> NoReturn:
        for pattern, translate in _FRENCH:
            if match := pattern.match(message):
                message = translate(match)
                break
        self.exit(EXIT_INPUT, f"arobase-server : {message}\nAide : arobase-server --help\n")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        metavar="DOSSIER",
        default=argparse.SUPPRESS,
        help="dossier des données (sinon $AROBASE_SERVER_DATA, sinon le dossier courant)",
    )
    common.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="base PostgreSQL (postgresql://…) ou SQLite ; sinon $AROBASE_SERVER_DATABASE_URL",
    )
    common.add_argument("--blobs", metavar="DOSSIER|s3://SEAU/PRÉFIXE", default=argparse.SUPPRESS,
                        help="où ranger les pièces jointes ; sinon $AROBASE_SERVER_BLOBS")  # fmt: skip
    p = _Parser(prog="arobase-server", parents=[common], description="Serveur de l'association Villes Internet.")
    sub = p.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser, title="commandes", required=True)
    sub.add_parser("init", parents=[common], help="créer ou mettre à jour la base, la clé de signature, les éditions")
    sp = sub.add_parser("serve", parents=[common], help="lancer le serveur")
    sp.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1 par défaut)")
    sp.add_argument("--port", type=int, default=8080, help="port (8080 par défaut)")
    sp.add_argument("--workers", type=int, default=1, metavar="N", help="nombre de processus (1 par défaut)")
    sp = sub.add_parser("add-collectivity", parents=[common], help="inscrire une collectivité et créer son code")
    sp.add_argument("--code", required=True, metavar="INSEE|SIREN", help="code INSEE d'une commune ou SIREN d'un EPCI")
    sp.add_argument("--name", required=True, metavar="NOM", help="nom de la collectivité")
    sp.add_argument("--email", required=True, metavar="COURRIEL", help="adresse du référent")
    sp.add_argument("--days", type=int, default=14, metavar="JOURS", help="validité du code (14 jours par défaut)")
    sp = sub.add_parser("add-staff", parents=[common], help="créer un compte pour l'équipe de l'association")
    sp.add_argument("--email", required=True, metavar="COURRIEL")
    sp = sub.add_parser("revoke-device", parents=[common], help="révoquer un appareil (ses jetons cessent de valoir)")
    sp.add_argument("device", metavar="APPAREIL", help="identifiant de l'appareil")
    sp = sub.add_parser("publish-edition", parents=[common], help="publier une édition du questionnaire")
    sp.add_argument("file", metavar="FICHIER", help="fichier JSON de l'édition")
    sp = sub.add_parser("export", parents=[common], help="exporter pour le jury les derniers dossiers d'une édition")
    sp.add_argument("--edition", required=True, metavar="ÉDITION")
    sp.add_argument("--out", required=True, metavar="DOSSIER")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for flag, var in ENV_FLAGS.items():
        if getattr(args, flag, None):
            os.environ[var] = str(Path(getattr(args, flag)).resolve()) if flag == "data" else getattr(args, flag)
    from server import commands

    try:
        return commands.run(args)
    except UserError as exc:
        print(f"arobase-server : {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception:  # never a traceback on the terminal: the details go to the log
        import logging

        log = Path(os.environ.get("AROBASE_SERVER_DATA") or ".") / "erreurs-serveur.log"
        logging.basicConfig(filename=log, level=logging.ERROR, force=True)
        logging.getLogger("arobase.server").exception("erreur imprévue dans arobase-server %s", args.command)
        print(f"arobase-server : erreur imprévue ; les détails sont dans {log}.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
