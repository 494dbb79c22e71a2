"""The ``arobase`` commands on the dossier itself: import, export, check, validate, status."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli_common import EXIT_OK, EXIT_PROBLEMS, Command, catalog, edition_id_of, open_workspace
from app.formats import plural, thousands


def add_parsers(sub: Any, common: argparse.ArgumentParser, edition: argparse.ArgumentParser) -> None:
    sp = sub.add_parser("import", parents=[common], help="importer un dossier (fichier JSON Arobase)")
    sp.add_argument("file", metavar="FICHIER", help="fichier .json exporté par Arobase")

    sp = sub.add_parser("export", parents=[common, edition], help="exporter le dossier en JSON")
    sp.add_argument("--out", metavar="FICHIER", required=True, help="fichier à écrire (- pour la sortie standard)")

    sp = sub.add_parser("check", parents=[common, edition], help="lister les problèmes du dossier")
    sp.add_argument("--json", action="store_true", help="sortie JSON")

    sub.add_parser("validate", parents=[common, edition], help="valider le dossier (version figée et empreinte)")

    sp = sub.add_parser("status", parents=[common, edition], help="résumé : collectivité, état, couverture")
    sp.add_argument("--json", action="store_true", help="sortie JSON")


def cmd_import(args: argparse.Namespace, path: Path) -> int:
    from app.interchange import InterchangeError, from_document, read_document
    from sync.dossier_format import FormatError, validate

    doc = read_document(Path(args.file))
    # Check the whole document before the store is opened (or created): a refused file leaves no trace.
    try:
        validate(doc)
    except FormatError as exc:
        raise InterchangeError(f"Dossier invalide : {exc}.") from None
    from_document(doc, catalog().get(doc["edition"]))
    with open_workspace(path) as ws:
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

    with open_workspace(path) as ws:
        doc = ws.export_document(edition_id_of(ws, args))
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
    with open_workspace(path) as ws:
        edition_id = edition_id_of(ws, args)
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

    with open_workspace(path) as ws:
        edition_id = edition_id_of(ws, args)
        try:
            snap = ws.validate(edition_id)
        except ValidationBlocked as exc:
            print(f"arobase : {exc.message}", file=sys.stderr)
            return EXIT_PROBLEMS
    print(f"Dossier {edition_id} validé, révision {snap.revision}.\nEmpreinte SHA-256 : {snap.sha256}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, path: Path) -> int:
    from app.model import KIND_LABELS, STATE_LABELS

    with open_workspace(path) as ws:
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


COMMANDS: dict[str, Command] = {
    "import": cmd_import,
    "export": cmd_export,
    "check": cmd_check,
    "validate": cmd_validate,
    "status": cmd_status,
}
