"""Headless command line for support staff and scripts.

Exit codes: 0 success; 1 the dossier has blocking problems (check, validate); 2 bad input or an
unusable store, with one French line on stderr; 3 an unexpected internal error (details in the log).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from app.errors import ArobaseError, StoreDamaged, StoreError
from app.formats import plural, thousands
from app.paths import resolve_store_path
from app.version import VERSION

OpenWindow = Callable[[Path], int]
# Draws a mosaïque layout to a PNG file of a given width. The desktop entry point (ui.launcher) passes
# one drawn with Qt's painter offscreen; app never imports ui, and without it reportlab's backend is tried.
PngWriter = Callable[[Any, Path, int], None]

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


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


def _french(message: str) -> str:
    for pattern, translate in _ARGPARSE_FR:
        match = pattern.match(message)
        if match:
            return translate(match)
    return message


class _FrenchHelp(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "Utilisation : " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with French help, French one-line errors and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _FrenchHelp)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"arobase : {_french(message)}\nAide : arobase --help\n")


def build_parser() -> argparse.ArgumentParser:
    db_help = "fichier de base Arobase (.sqlite) ; sinon $AROBASE_DB, sinon la base par défaut"
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's missing --db must not erase one given before the subcommand.
    common.add_argument("--db", metavar="FICHIER", default=argparse.SUPPRESS, help=db_help)
    edition = argparse.ArgumentParser(add_help=False)
    edition.add_argument(
        "--edition", metavar="ANNÉE", help="édition du questionnaire (par défaut : la plus récente ayant un dossier)"
    )

    p = _Parser(
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
    sub = p.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser, title="commandes")

    sp = sub.add_parser("import", parents=[common], help="importer un dossier (fichier JSON Arobase)")
    sp.add_argument("file", metavar="FICHIER", help="fichier .json exporté par Arobase")

    sp = sub.add_parser("export", parents=[common, edition], help="exporter le dossier en JSON")
    sp.add_argument("--out", metavar="FICHIER", required=True, help="fichier à écrire (- pour la sortie standard)")

    sp = sub.add_parser("check", parents=[common, edition], help="lister les problèmes du dossier")
    sp.add_argument("--json", action="store_true", help="sortie JSON")

    sub.add_parser("validate", parents=[common, edition], help="valider le dossier (version figée et empreinte)")

    sp = sub.add_parser("status", parents=[common, edition], help="résumé : collectivité, état, couverture")
    sp.add_argument("--json", action="store_true", help="sortie JSON")

    sp = sub.add_parser("mosaique", parents=[common, edition], help="dessiner la mosaïque des enjeux (PNG ou SVG)")
    sp.add_argument("--out", metavar="FICHIER", required=True, help="image à écrire : .png ou .svg")
    sp.add_argument("--width", metavar="PX", help="largeur de l'image en pixels (PNG : 2000 par défaut)")
    sp.add_argument(
        "--evolution",
        action="store_true",
        help="marquer les services nouvellement couverts depuis l'édition précédente",
    )

    sp = sub.add_parser(
        "pdf",
        parents=[common, edition],
        help="écrire le dossier à imprimer et à signer, ou le questionnaire vierge (PDF)",
    )
    sp.add_argument("--out", metavar="FICHIER", required=True, help="fichier .pdf à écrire (- pour la sortie standard)")
    sp.add_argument(
        "--vierge",
        action="store_true",
        help="le questionnaire vierge de l'édition, à remplir à la main (sans base ni dossier ; "
        "par défaut l'édition la plus récente)",
    )

    sub.add_parser("backups", parents=[common], help="lister les sauvegardes du fichier, la plus récente d'abord")
    sp = sub.add_parser(
        "restore", parents=[common], help="remettre une sauvegarde en place (le fichier actuel est gardé)"
    )
    sp.add_argument("backup", metavar="SAUVEGARDE", help="numéro (donné par arobase backups) ou nom de fichier")
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
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    args.png_writer = png_writer
    path = resolve_store_path(args.db, environ)
    try:
        if args.self_test:
            return self_test(png_writer)
        if args.command is None:
            if open_window is None:
                print("arobase : la fenêtre n'est pas disponible ici ; voir arobase --help.", file=sys.stderr)
                return EXIT_INPUT
            return open_window(path)
        from app.cli_sync import COMMANDS

        return {**_COMMANDS, **COMMANDS}[args.command](args, path)
    except KeyboardInterrupt:
        print("arobase : interrompu.", file=sys.stderr)
        return 130
    except StoreDamaged as exc:
        return _fail(_damaged(exc))
    except ArobaseError as exc:
        return _fail(exc.message)
    except Exception as exc:  # store errors and anything else: never a traceback
        if isinstance(exc, StoreError):
            return _fail(str(exc))
        log = _log_internal_error(exc)
        print(
            f"arobase : erreur interne inattendue ({type(exc).__name__}). Détails enregistrés dans {log} ; "
            "transmettez ce fichier à l'assistance.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _fail(message: str) -> int:
    print(f"arobase : {message}", file=sys.stderr)
    return EXIT_INPUT


def _damaged(exc: StoreDamaged) -> str:
    """One line: the file is damaged, kept as it is, and the command that restores the latest good backup."""
    from app.backups import damaged_text, latest_good_backup

    backup = latest_good_backup(exc.path)
    text = " ".join(damaged_text(exc, backup).split("\n\n"))
    if backup is not None:
        text += f" Pour la restaurer\u00a0: arobase --db {_quoted(exc.path)} restore {_quoted(backup.name)}"
    return text


def _quoted(path: Path | str) -> str:
    """A path or name as it can be pasted into a terminal."""
    import shlex

    return shlex.quote(str(path)) if os.name == "posix" else (f'"{path}"' if " " in str(path) else str(path))


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


def _catalog():  # type: ignore[no-untyped-def]
    from app.edition import EditionCatalog, builtin_directory
    from app.paths import checked_editions_list, downloaded_editions_dir

    return EditionCatalog([downloaded_editions_dir(), builtin_directory()], checked_list=checked_editions_list())


def _workspace(path: Path):  # type: ignore[no-untyped-def]
    from app.workspace import Workspace

    return Workspace.open(path, _catalog())


def _edition(ws: Any, args: argparse.Namespace) -> str:
    edition_id: str = args.edition or ws.default_edition()
    ws.edition(edition_id)
    return edition_id


def cmd_import(args: argparse.Namespace, path: Path) -> int:
    from app.interchange import InterchangeError, from_document, read_document
    from sync.dossier_format import FormatError, validate

    doc = read_document(Path(args.file))
    # Check the whole document before the store is opened (or created): a refused file leaves no trace.
    try:
        validate(doc)
    except FormatError as exc:
        raise InterchangeError(f"Dossier invalide : {exc}.") from None
    from_document(doc, _catalog().get(doc["edition"]))
    with _workspace(path) as ws:
        report = ws.import_document(doc)
    replaced = plural(report.replaced_actions, "action précédente remplacée", "actions précédentes remplacées")
    extra = f" ; {replaced}" if report.replaced_actions else ""
    rev = " (nouvelle révision)" if report.new_revision else ""
    print(
        f"Dossier {report.edition} importé : {plural(report.actions, 'action')}{extra}. "
        f"Révision {report.revision}{rev}, à l'état brouillon."
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, path: Path) -> int:
    from app.interchange import write_document

    with _workspace(path) as ws:
        doc = ws.export_document(_edition(ws, args))
    if args.out == "-":
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(text)
        else:  # the file format is UTF-8 whatever the console's encoding (cp1252 in a Windows pipe)
            sys.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
    else:
        write_document(doc, Path(args.out))
        print(f"Dossier {doc['edition']} exporté dans {args.out} ({plural(len(doc['actions']), 'action')}).")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, path: Path) -> int:
    with _workspace(path) as ws:
        edition_id = _edition(ws, args)
        problems = ws.check(edition_id)
    n_block = sum(p.blocking for p in problems)
    if args.json:
        print(
            json.dumps(
                [{"code": p.code, "field": p.field, "blocking": p.blocking, "message": p.message} for p in problems],
                ensure_ascii=False,
                indent=2,
            )
        )
    elif not problems:
        print(f"Dossier {edition_id} : aucun problème, il peut être validé.")
    else:
        for p in problems:
            print(f"{'BLOQUANT' if p.blocking else 'conseil '}  {p.field}  {p.message}")
        print(f"{plural(n_block, 'problème bloquant')}, {plural(len(problems) - n_block, 'conseil')}.")
    return EXIT_PROBLEMS if n_block else EXIT_OK


def cmd_validate(args: argparse.Namespace, path: Path) -> int:
    from app.workspace import ValidationBlocked

    with _workspace(path) as ws:
        edition_id = _edition(ws, args)
        try:
            snap = ws.validate(edition_id)
        except ValidationBlocked as exc:
            print(f"arobase : {exc.message}", file=sys.stderr)
            return EXIT_PROBLEMS
    print(f"Dossier {edition_id} validé, révision {snap.revision}.\nEmpreinte SHA-256 : {snap.sha256}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, path: Path) -> int:
    from app.model import KIND_LABELS, STATE_LABELS

    with _workspace(path) as ws:
        st = ws.status(args.edition)
    p = st.profile
    if args.json:
        out: dict[str, Any] = {
            "db": str(st.path),
            "collectivity": {
                "name": p.name,
                "kind": p.kind,
                "code": p.code,
                "departement": p.departement,
                "population": p.population,
            },
            "edition": st.edition.id,
            "state": None,
            "revision": None,
            "actions": 0,
            "covered": None,
            "services": len(st.edition.services),
            "blocking": st.blocking,
            "warnings": st.warnings,
            "sha256": None,
        }
        if st.summary:
            out.update(
                state=st.summary.state,
                revision=st.summary.revision,
                actions=st.summary.action_count,
                sha256=st.summary.snapshot_sha256,
            )
        if st.coverage:
            out["covered"] = st.coverage.covered
            out["themes"] = {t.theme_id: {"covered": t.covered, "services": t.total} for t in st.coverage.themes}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    name = p.name or "(nom non renseigné)"
    details = [KIND_LABELS[p.kind].lower()]
    if p.code:
        details.append(f"{'SIREN' if p.kind == 'epci' else 'INSEE'} {p.code}")
    if p.departement:
        details.append(f"département {p.departement}")
    if p.population is not None:
        details.append(f"{thousands(p.population)} habitants")
    print(f"Fichier      : {st.path}")
    print(f"Collectivité : {name} ({', '.join(details)})")
    print(f"Édition      : {st.edition.id} — {st.edition.title}")
    if st.summary is None or st.coverage is None:
        print("Dossier      : pas encore commencé")
        return EXIT_OK
    print(f"État         : {STATE_LABELS[st.summary.state]}, révision {st.summary.revision}")
    if st.summary.snapshot_sha256:
        print(f"Empreinte    : {st.summary.snapshot_sha256}")
    print(f"Actions      : {st.summary.action_count}")
    print(f"Couverture   : {st.coverage.covered} / {st.coverage.total} services")
    for t in st.coverage.themes:
        print(f"  {t.title} : {t.covered} / {t.total}")
    problems = f"{plural(st.blocking, 'bloquant')}, {plural(st.warnings, 'conseil')}"
    print(f"Problèmes    : {problems} (détail : arobase check)")
    return EXIT_OK


def cmd_mosaique(args: argparse.Namespace, path: Path) -> int:
    """Write the mosaïque as PNG (reportlab) or SVG (pure Python), from the same layout as the window."""
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".png", ".svg"):
        return _fail(
            f"extension « {out.suffix or '(aucune)'} » non prise en charge pour {out.name} : choisissez .png ou .svg."
        )
    width: int | None = None
    if args.width is not None:
        if not args.width.isdigit() or not 16 <= int(args.width) <= 20000:
            return _fail(f"largeur « {args.width} » invalide : un nombre de pixels entre 16 et 20000.")
        width = int(args.width)
    if not out.parent.is_dir():
        return _fail(f"le dossier {out.parent} n'existe pas.")
    from app.mosaic_layout import compute_layout

    with _workspace(path) as ws:
        edition_id = _edition(ws, args)
        edition = ws.edition(edition_id)
        dossier = ws.load(edition_id)
        previous = previous_edition = None
        if args.evolution:
            earlier = [s.edition for s in ws.dossier_summaries() if s.edition < edition_id]
            if not earlier:
                return _fail(f"aucun dossier d'une édition antérieure à {edition_id} : pas d'évolution à montrer.")
            previous = ws.load(max(earlier))
            if max(earlier) in ws.catalog.ids():  # an edition file since removed: services matched by id
                previous_edition = ws.edition(max(earlier))
    layout = compute_layout(edition, dossier, previous, previous_edition)
    try:
        if kind == ".svg":
            from app.mosaic_svg import write_svg

            write_svg(layout, out, width)
        else:
            from app.mosaic_reportlab import write_png

            (args.png_writer or write_png)(layout, out, width or 2000)
    except OSError as exc:
        return _fail(f"impossible d'écrire {out} : {exc.strerror or exc}.")
    print(f"Mosaïque {edition_id} écrite dans {out} : {plural(layout.covered, 'service couvert')} sur {layout.total}.")
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace, path: Path) -> int:
    """Write the printable dossier; a validated dossier is printed from its frozen snapshot."""
    from app.pdf import build_pdf, source_from_workspace

    to_stdout = args.out == "-"
    out = Path(args.out)
    if not to_stdout and not out.parent.is_dir():
        return _fail(f"le dossier {out.parent} n'existe pas.")
    if args.vierge:
        return _blank_pdf(args, out, to_stdout)
    with _workspace(path) as ws:
        edition_id = _edition(ws, args)
        if not ws.has_dossier(edition_id):
            return _fail(
                f"ce fichier ne contient pas de dossier pour l'édition {edition_id}. Pour imprimer le "
                f"questionnaire vierge, à remplir à la main : arobase pdf --vierge --out {args.out}"
            )
        source = source_from_workspace(ws, edition_id, keys=_pinned_keys())
    if to_stdout:
        sys.stdout.flush()
        report = build_pdf(source, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        report = build_pdf(source, out)
    if report.draft:
        state = f"brouillon, révision {report.revision}"
    else:
        state = f"révision {report.revision}, empreinte SHA-256 {(report.sha256 or '')[:12]}"
    where = "sur la sortie standard" if to_stdout else f"dans {out}"
    message = f"Dossier {edition_id} écrit {where} : {plural(report.pages, 'page')} ({state})."
    if report.replaced:
        message += (
            f"\n{plural(len(report.replaced), 'caractère absent', 'caractères absents')} des polices, "
            f"{'imprimés' if len(report.replaced) > 1 else 'imprimé'} sous la forme [U+…] "
            "(voir la note en fin de document)."
        )
    print(message, file=sys.stderr if to_stdout else sys.stdout)
    return EXIT_OK


def _pinned_keys() -> dict[str, bytes] | None:
    """The server keys pinned at sign-in, to check a received revision's receipt (None: not signed in)."""
    from app import account as accounts
    from app.paths import account_file

    found = accounts.load(account_file())
    return found.public_keys() if found is not None else None


def _blank_pdf(args: argparse.Namespace, out: Path, to_stdout: bool) -> int:
    """``pdf --vierge``: the edition's blank questionnaire; the store is never opened (nor created)."""
    from datetime import UTC, datetime

    from app.pdf import blank_source, build_blank_pdf

    catalog = _catalog()
    edition = catalog.get(args.edition or catalog.latest_id())
    source = blank_source(edition, datetime.now(UTC).replace(tzinfo=None))
    if to_stdout:
        sys.stdout.flush()
        report = build_blank_pdf(source, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        report = build_blank_pdf(source, out)
    where = "sur la sortie standard" if to_stdout else f"dans {out}"
    print(
        f"Questionnaire vierge de l'édition {edition.id} écrit {where} : {report.pages} pages.",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return EXIT_OK


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
    print(f"Pour en remettre une en place\u00a0: arobase --db {_quoted(path)} restore NUMÉRO")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, path: Path) -> int:
    from app.backups import find_backup, restore_backup, restored_text

    report = restore_backup(path, find_backup(path, args.backup))
    print(restored_text(report))
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {
    "import": cmd_import,
    "export": cmd_export,
    "check": cmd_check,
    "validate": cmd_validate,
    "status": cmd_status,
    "mosaique": cmd_mosaique,
    "pdf": cmd_pdf,
    "backups": cmd_backups,
    "restore": cmd_restore,
}


if __name__ == "__main__":
    raise SystemExit(main())
COMMANDS = tuple(_COMMANDS)


def self_test(png_writer: PngWriter | None) -> int:
    """``arobase --self-test``: the installed program really works, without touching the user's files.

    A temporary store receives the example dossier, then the PDF and the mosaïque (PNG, drawn like the
    window's) are written and read back; 0 when everything worked. Used by the bundle's CI and support.
    """
    import tempfile

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
            code = _COMMANDS[args.command](args, store)
            if code != EXIT_OK:
                return _fail(f"auto-test : l'étape « {step[0]} » a échoué (code {code}).")
        if not (out / "dossier.pdf").read_bytes().startswith(b"%PDF-"):
            return _fail("auto-test : le PDF écrit n'en est pas un.")
        if not (out / "mosaique.png").read_bytes().startswith(b"\x89PNG"):
            return _fail("auto-test : la mosaïque écrite n'est pas une image PNG.")
    print(f"Auto-test d'Arobase {VERSION} réussi : base, import, PDF et mosaïque.")
    return EXIT_OK
