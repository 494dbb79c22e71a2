"""The import rules of the brief, checked on the source: ui → app → localdb, app → sync, server → sync.

Nothing imports ui; localdb, sync and the shipped data package resources import nothing else of ours;
the server never imports app, localdb or ui; only ui touches Qt; reportlab, requests and keyring are
imported lazily (inside functions), so the window appears fast; the desktop bundle leaves the server
and its extra out; no module
passes the size limit (split by concern first).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"app", "ui", "localdb", "sync", "server", "resources"}
ALLOWED = {
    "app": {"app", "localdb", "sync", "resources"},
    "localdb": {"localdb"},
    "sync": {"sync"},
    "server": {"server", "sync", "resources"},  # resources: the edition files and their schema
    "ui": {"ui", "app", "resources"},
    "resources": {"resources"},  # the shipped data package: its build tools live in tools/, not here
}
HEAVY = ("reportlab", "requests", "keyring")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level?) for every import of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    wrong = []
    for path in _files(package):
        for module, _top in _imports(path):
            root = module.split(".")[0]
            if root in OURS and root not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
            if root in ("PySide6", "shiboken6") and package != "ui":
                wrong.append(f"{path.relative_to(ROOT)} imports {module} (Qt lives in ui/ only)")
    assert wrong == []


def test_ui_imports_qt_through_its_two_doors() -> None:
    doors = {ROOT / "ui" / "qt.py", ROOT / "ui" / "qt_pdf.py"}
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _files("ui")
        if path not in doors
        for module, _top in _imports(path)
        if module.split(".")[0] in ("PySide6", "shiboken6")
    ]
    assert wrong == []


def test_heavy_modules_are_imported_lazily() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {module} at module level"
        for package in ("app", "ui", "sync")
        for path in _files(package)
        if path.parent.name != "pdf" and path.name != "mosaic_reportlab.py"  # only loaded when printing
        for module, top in _imports(path)
        if top and module.split(".")[0] in HEAVY
    ]
    assert wrong == []


def test_the_errors_users_see_load_no_database_code() -> None:
    """ui/ and the command line import app.errors (store errors included) at start: it must stay light."""
    import subprocess
    import sys

    probe = "import sys, app.errors; print(sorted(m for m in ('sqlalchemy', 'sqlite3', 'alembic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_desktop_bundle_leaves_the_server_out() -> None:
    """The server's extra (pyproject [server]) must not ride along in the PyInstaller bundle."""
    import re
    import tomllib

    spec = (ROOT / "packaging" / "arobase.spec").read_text(encoding="utf-8")
    excludes = set(re.findall(r'"([A-Za-z0-9_.]+)"', spec.split("excludes = [", 1)[1].split("]", 1)[0]))
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    modules = {"argon2-cffi": "argon2", "python-multipart": "multipart", "jsonschema-rs": "jsonschema_rs"}
    wanted = {"server"} | {
        modules.get(name, name)
        for name in (re.split(r"[\[<>=!~ ]", dep, maxsplit=1)[0] for dep in extra["server"])
        if name != "cryptography"  # the desktop app verifies receipts with it too
    }
    assert wanted - excludes == set()
    for package in ("app", "ui", "localdb"):
        for path in _files(package):
            assert not any(m.split(".")[0] in wanted for m, _ in _imports(path)), path


# Imported only when their work is asked for, never on the way to the window showing the dossier.
LAZY_AT_START = ("alembic", "reportlab", "requests", "keyring", "jsonschema", "app.mosaic_svg", "ui.qt_pdf")
# Not before the window shows the dossier of a file at the newest schema (app.first_read): the store
# (SQLAlchemy, 0.3 s) opens just after, and the pages not shown are built on their first visit.
LAZY_UNTIL_SHOWN = (
    *LAZY_AT_START,
    "sqlalchemy",
    "app.workspace",
    "app.backups",
    "localdb.store",
    "localdb.models",
    "ui.pages.send_page",
    "ui.pages.mosaic_page",
    "ui.pages.actions_page",
    "app.mosaic_layout",
    # the command line's commands and their parser: a start with no argument or only --db does without them
    # (argparse itself comes with PySide6's shiboken)
    "app.cli_common",
    "app.cli_dossier",
    "app.cli_print",
    "app.cli_backups",
    # no proxy saved: nothing of the HTTP client (ssl) is needed to say so (app.network.checked_proxy)
    "sync.client",
    "ssl",
    # the standard modules only a later step needs: a new action's id, the commune list's file, a heading's markup
    "uuid",
    "gzip",
    "heapq",
    "importlib.resources",
    "html",
    # the messages, the error dialog, the network settings: imported when one is shown
    "ui.messages",
    "ui.error_dialog",
    "ui.dialogs.network_dialog",
    "app.account",  # « Vérifier les nouvelles éditions » reads the account when it checks
    # the log files are opened once the window shows (app.logs.hold_records keeps what is logged before)
    "logging.handlers",
)


def test_the_start_up_path_leaves_the_heavy_modules_out(tmp_path: Path) -> None:
    """Start the window for real on a store at the newest schema (as bench_startup does), and list what was
    imported when the window shows the dossier (the marker line), then once it has closed."""
    import os
    import subprocess
    import sys

    from app.edition import EditionCatalog
    from app.interchange import to_document
    from app.workspace import Workspace
    from tests.factories import complete_dossier

    db = tmp_path / "commune.sqlite"
    catalog = EditionCatalog()
    with Workspace.open(db, catalog) as ws:  # created (Alembic runs here, in this process)
        ws.import_document(to_document(complete_dossier(catalog.get(catalog.latest_id()), 5)))
    probe = (
        "import sys, runpy\n"
        "class Tap:\n"
        "    def __init__(self, out): self.out = out\n"
        "    def write(self, text):\n"
        "        if text.strip() == 'AROBASE_READY':\n"
        "            import builtins\n"
        "            hooked = builtins.__import__ is getattr(builtins, '__feature_import__', None)\n"
        "            self.out.write(f'feature hook: {hooked}\\n')\n"
        f"            self.out.write(repr(sorted(m for m in {LAZY_UNTIL_SHOWN!r} if m in sys.modules)) + '\\n')\n"
        "        return self.out.write(text)\n"
        "    def flush(self): self.out.flush()\n"
        "sys.stdout = Tap(sys.stdout)\n"
        "sys.argv = ['arobase', '--db', sys.argv[1]]\n"
        "try:\n    runpy.run_module('ui.launcher', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        f"print(sorted(m for m in {LAZY_AT_START!r} if m in sys.modules))\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "AROBASE_QUIT_WHEN_READY": "1",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    for _first_then_second in range(2):  # the first start checks the edition file (jsonschema) once
        out = subprocess.run(
            [sys.executable, "-c", probe, str(db)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
        )
        assert out.returncode == 0, out.stderr
    # At the marker: none of them; once closed: the store was opened (after the window showed), nothing else.
    # PySide's __feature__ import hook (which reads the source of every module imported after it) is off.
    assert out.stdout.splitlines() == ["feature hook: False", "[]", "AROBASE_READY", "[]", "True"], (
        out.stdout + out.stderr
    )


def test_no_module_asks_for_pyside_features() -> None:
    """``ui.qt`` puts back the import PySide replaces for ``from __feature__ import …``: none of ours may use it."""
    users = [
        str(path.relative_to(ROOT))
        for package in OURS
        for path in _files(package)
        if any(module.split(".")[0] == "__feature__" for module, _top in _imports(path))
    ]
    assert users == []


def test_the_trust_store_is_injected_by_the_program_only() -> None:
    """truststore.inject_into_ssl() changes the whole process: app.network offers it, entry points call it;
    sync (a library) never touches it."""
    importers = {
        str(path.relative_to(ROOT))
        for package in ("app", "ui", "sync", "localdb")
        for path in _files(package)
        if any(m.split(".")[0] == "truststore" for m, _ in _imports(path))
    }
    assert importers == {"app/network.py"}
    callers = {
        str(path.relative_to(ROOT))
        for package in ("app", "ui", "sync")
        for path in _files(package)
        if "use_system_trust_store()" in path.read_text(encoding="utf-8") and path.name != "network.py"
    }
    assert callers <= {"app/cli_sync.py", "ui/application.py", "ui/launcher.py"}
    assert callers


# "Split a module that mixes concerns before it passes ~500 lines": the line that fails the build.
MAX_MODULE_LINES = 520


def test_no_module_passes_the_size_limit() -> None:
    too_long = {
        f"{path.relative_to(ROOT)}: {n} lignes"
        for package in ("app", "ui", "localdb", "sync", "server")
        for path in _files(package)
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == set()
