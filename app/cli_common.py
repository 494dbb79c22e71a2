"""What every ``arobase`` command shares: exit codes, the French argparse, opening the store, one-line failures.

The commands live by group (``cli_dossier``, ``cli_print``, ``cli_backups``, ``cli_sync``), each with its
``add_parsers`` and ``COMMANDS``; ``app.cli`` puts them together.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

OpenWindow = Callable[[Path], int]
# Draws a mosaïque layout to a PNG file of a given width. The desktop entry point (ui.launcher) passes
# one drawn with Qt's painter offscreen; app never imports ui, and without it reportlab's backend is tried.
PngWriter = Callable[[Any, Path, int], None]

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
# One command: its parsed arguments and the store file it works on, to its exit code.
Command = Callable[[argparse.Namespace, Path], int]


# argparse writes its errors in English: the ones a user can meet, in French.
_ARGPARSE_FR = (
    (
        re.compile(r"^argument COMMANDE: invalid choice: '?(.*?)'? \(choose from (.*)\)$"),
        lambda m: f"commande inconnue « {m[1]} » (commandes : {m[2].replace(chr(39), '')})",
    ),
    (
        re.compile(r"^argument (.+?): invalid choice: '?(.*?)'? \(choose from (.*)\)$"),
        lambda m: f"valeur « {m[2]} » non reconnue pour {m[1]} (valeurs possibles : {m[3].replace(chr(39), '')})",
    ),
    (re.compile(r"^the following arguments are required: (.*)$"), lambda m: f"argument obligatoire manquant : {m[1]}"),
    (re.compile(r"^unrecognized arguments: (.*)$"), lambda m: f"argument non reconnu : {m[1]}"),
    (re.compile(r"^argument (.+?): expected one argument$"), lambda m: f"l'option {m[1]} attend une valeur"),
    (
        re.compile(r"^argument (.+?): ignored explicit argument '(.*)'$"),
        lambda m: f"l'option {m[1]} n'accepte pas de valeur (« {m[2]} »)",
    ),
    (
        re.compile(r"^ambiguous option: (\S+) could match (.*)$"),
        lambda m: f"option ambiguë {m[1]} (possibles : {m[2]})",
    ),
)


def french(message: str) -> str:
    """argparse's English message, in French when it is one a user can meet."""
    for pattern, translate in _ARGPARSE_FR:
        match = pattern.match(message)
        if match:
            return translate(match)
    return message


class _FrenchHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse with French help, French one-line errors and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"arobase : {french(message)}\nAide : arobase --help\n")


def fail(message: str) -> int:
    print(f"arobase : {message}", file=sys.stderr)
    return EXIT_INPUT


def quoted(path: Path | str) -> str:
    """A path or name as it can be pasted into a terminal."""
    import shlex

    return shlex.quote(str(path)) if os.name == "posix" else (f'"{path}"' if " " in str(path) else str(path))


def catalog():  # type: ignore[no-untyped-def]
    from app.edition import EditionCatalog, builtin_directory
    from app.paths import checked_editions_list, downloaded_editions_dir

    return EditionCatalog([downloaded_editions_dir(), builtin_directory()], checked_list=checked_editions_list())


def open_workspace(path: Path):  # type: ignore[no-untyped-def]
    from app.workspace import Workspace

    return Workspace.open(path, catalog())


def edition_id_of(ws: Any, args: argparse.Namespace) -> str:
    edition_id: str = args.edition or ws.default_edition()
    ws.edition(edition_id)
    return edition_id


def pinned_keys() -> dict[str, bytes] | None:
    """The server keys pinned at sign-in, to check a received revision's receipt (None: not signed in)."""
    from app import account as accounts
    from app.paths import account_file

    found = accounts.load(account_file())
    return found.public_keys() if found is not None else None
