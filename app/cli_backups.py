"""The ``arobase`` commands on the store's backups: list them, put one back (without opening the store)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli_common import EXIT_OK, Command, quoted


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("backups", parents=[common], help="lister les sauvegardes du fichier, la plus récente d'abord")
    sp = sub.add_parser(
        "restore", parents=[common], help="remettre une sauvegarde en place (le fichier actuel est gardé)"
    )
    sp.add_argument("backup", metavar="SAUVEGARDE", help="numéro (donné par arobase backups) ou nom de fichier")


def cmd_backups(_args: argparse.Namespace, path: Path) -> int:
    """List the backups without opening the store (it may be the damaged file they are meant to replace)."""
    from app.backups import list_backups
    from localdb.backups import backup_folder

    found = list_backups(path)
    if not found:
        print(f"Aucune sauvegarde de {path} pour l'instant (elles sont rangées dans {backup_folder(path)}).")
        return EXIT_OK
    print(f"Sauvegardes de {path}, la plus récente d'abord (dossier {backup_folder(path)})\u00a0:")
    for b in found:
        print(f"{b.number:>3}. {b.when} ({b.kind_label})\u00a0— {b.contents_text()}\n     {b.name}")
    print(f"Pour en remettre une en place\u00a0: arobase --db {quoted(path)} restore NUMÉRO")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, path: Path) -> int:
    from app.backups import find_backup, restore_backup, restored_text

    report = restore_backup(path, find_backup(path, args.backup))
    print(restored_text(report))
    return EXIT_OK


COMMANDS: dict[str, Command] = {"backups": cmd_backups, "restore": cmd_restore}
