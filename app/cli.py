"""Headless command line for support staff and scripts.

Exit codes: 0 success; 1 the dossier has blocking problems (check, validate); 2 bad input or an
unusable store, with one French line on stderr; 3 an unexpected internal error (details in the log).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import ArobaseError, StoreDamaged, StoreError
from app.paths import resolve_store_path
from app.version import VERSION

if TYPE_CHECKING:
    import argparse

    from app.cli_common import Command, OpenWindow, PngWriter

WINDOW = "fenêtre"  # the name logged for a start without a command


def window_only(argv: Sequence[str]) -> bool:
    """No argument, or only ``--db FICHIER``: the window opens, and neither argparse nor the commands'
    modules are imported (12 ms at every start); anything else goes through ``build_parser``."""
    if not argv:
        return True
    if len(argv) == 1:
        return argv[0].startswith("--db=")
    return len(argv) == 2 and argv[0] == "--db" and not argv[1].startswith("-")


def command_name(argv: Sequence[str]) -> str:
    """The command run, for the log: its name only (its arguments are file paths, which may hold a name)."""
    if window_only(argv):
        return WINDOW
    from app.cli_sync import COMMANDS as SYNC_COMMANDS

    names = (*_commands(), *SYNC_COMMANDS, "--version", "--self-test")
    return next((a for a in argv if a in names), WINDOW)


def _commands() -> dict[str, Command]:
    """Every command but the sync group's (``app.cli_sync``, imported when one of them runs)."""
    from app import cli_backups, cli_dossier, cli_print

    return {**cli_dossier.COMMANDS, **cli_print.COMMANDS, **cli_backups.COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from app import cli_backups, cli_dossier, cli_print
    from app.cli_common import Parser

    db_help = "fichier de base Arobase (.sqlite) ; sinon $AROBASE_DB, sinon la base par défaut"
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's missing --db must not erase one given before the subcommand.
    common.add_argument("--db", metavar="FICHIER", default=argparse.SUPPRESS, help=db_help)
    edition = argparse.ArgumentParser(add_help=False)
    edition.add_argument(
        "--edition", metavar="ANNÉE", help="édition du questionnaire (par défaut : la plus récente ayant un dossier)"
    )

    p = Parser(
        prog="arobase",
        description="Arobase : dossier de participation au label Territoires, Villes & Villages Internet. "
        "Sans commande, ouvre la fenêtre.",
    )
    p.add_argument("--db", metavar="FICHIER", default=None, help=db_help)
    p.add_argument("--version", action="version", version=f"Arobase {VERSION}", help="afficher la version et quitter")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="vérifier l'installation sans écran ni fichier de l'utilisateur : une base temporaire, le dossier "
        "d'exemple importé, un PDF et une mosaïque écrits",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMANDE", parser_class=Parser, title="commandes")

    cli_dossier.add_parsers(sub, common, edition)
    cli_print.add_parsers(sub, common, edition)
    cli_backups.add_parsers(sub, common)
    from app.cli_sync import add_parsers

    add_parsers(sub, common)
    return p


def main(
    argv: Sequence[str] | None = None,
    *,
    open_window: OpenWindow | None = None,
    png_writer: PngWriter | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    environ = os.environ if environ is None else environ
    for stream in (sys.stdout, sys.stderr):  # a console that cannot show a character gets "?", not a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    argv = list(sys.argv[1:] if argv is None else argv)
    if open_window is not None and window_only(argv):
        path = resolve_store_path(argv[-1].removeprefix("--db=") if argv else None, environ)
        return _guarded(lambda: open_window(path))
    from app.cli_common import EXIT_INPUT

    args = build_parser().parse_args(argv)
    args.png_writer = png_writer
    path = resolve_store_path(args.db, environ)
    if args.self_test:
        return _guarded(lambda: self_test(png_writer))
    if args.command is None:
        if open_window is None:
            print("arobase : la fenêtre n'est pas disponible ici ; voir arobase --help.", file=sys.stderr)
            return EXIT_INPUT
        return _guarded(lambda: open_window(path))

    def command() -> int:
        from app.cli_sync import COMMANDS

        return {**_commands(), **COMMANDS}[args.command](args, path)

    return _guarded(command)


def _guarded(run: Callable[[], int]) -> int:
    """``run``'s exit code; a failure is one French line on stderr (``app.cli_common.fail``), never a traceback.
    ``app.cli_common`` (and argparse with it) is imported on a failure only: not on the way to the window."""
    try:
        return run()
    except KeyboardInterrupt:
        print("arobase : interrompu.", file=sys.stderr)
        return 130
    except StoreDamaged as exc:
        message = _damaged(exc)
    except ArobaseError as exc:
        message = exc.message
    except Exception as exc:  # store errors and anything else: never a traceback
        if not isinstance(exc, StoreError):
            from app.cli_common import EXIT_INTERNAL

            log = _log_internal_error(exc)
            print(
                f"arobase : erreur interne inattendue ({type(exc).__name__}). Détails enregistrés dans {log} ; "
                "transmettez ce fichier à l'assistance.",
                file=sys.stderr,
            )
            return EXIT_INTERNAL
        message = str(exc)
    from app.cli_common import fail

    return fail(message)


def _damaged(exc: StoreDamaged) -> str:
    """One line: the file is damaged, kept as it is, and the command that restores the latest good backup."""
    from app.backups import damaged_text, latest_good_backup
    from app.cli_common import quoted

    backup = latest_good_backup(exc.path)
    text = " ".join(damaged_text(exc, backup).split("\n\n"))
    if backup is not None:
        text += f" Pour la restaurer\u00a0: arobase --db {quoted(exc.path)} restore {quoted(backup.name)}"
    return text


def _log_internal_error(exc: BaseException) -> Path:
    import traceback

    from app.logs import redact
    from app.paths import user_log_dir

    try:
        folder = user_log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "erreurs.log"
        with log.open("a", encoding="utf-8") as fh:
            fh.write(redact("".join(traceback.format_exception(exc))) + "\n")
        return log
    except OSError:
        return Path("(journal impossible à écrire)")


def self_test(png_writer: PngWriter | None) -> int:
    """``arobase --self-test``: the installed program really works, without touching the user's files.

    A temporary store receives the example dossier, then the PDF and the mosaïque (PNG, drawn like the
    window's) are written and read back; 0 when everything worked. Used by the bundle's CI and support.
    """
    import tempfile

    from app.cli_common import EXIT_OK, fail
    from resources import folder

    example = folder("resources.exemples") / "dossier-exemple-2019.json"
    with tempfile.TemporaryDirectory(prefix="arobase-auto-test-") as tmp:
        out = Path(tmp)
        store = out / "auto-test.sqlite"
        parser = build_parser()
        steps = (
            ["import", str(example)],
            ["pdf", "--out", str(out / "dossier.pdf")],
            ["mosaique", "--out", str(out / "mosaique.png"), "--width", "600"],
        )
        for step in steps:
            args = parser.parse_args(step)
            args.png_writer = png_writer
            code = _commands()[args.command](args, store)
            if code != EXIT_OK:
                return fail(f"auto-test : l'étape « {step[0]} » a échoué (code {code}).")
        if not (out / "dossier.pdf").read_bytes().startswith(b"%PDF-"):
            return fail("auto-test : le PDF écrit n'en est pas un.")
        if not (out / "mosaique.png").read_bytes().startswith(b"\x89PNG"):
            return fail("auto-test : la mosaïque écrite n'est pas une image PNG.")
    print(f"Auto-test d'Arobase {VERSION} réussi : base, import, PDF et mosaïque.")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
