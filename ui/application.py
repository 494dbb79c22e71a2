"""Start the desktop application: QApplication, exception hook, store, main window, event loop.

Exit codes follow ``app.cli``: 0 normal end; 2 the store cannot be used (French message shown);
3 an unexpected error prevented start-up (details in ``erreurs.log``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.edition import EditionCatalog, builtin_directory
from app.errors import ArobaseError, StoreDamaged, StoreError
from app.first_read import DeferredWorkspace, first_workspace
from app.paths import checked_editions_list, downloaded_editions_dir, user_log_dir
from ui.app_icon import window_icon
from ui.excepthook import ErrorReporter, expected_message
from ui.field_filter import install_field_filter
from ui.main_window import MainWindow, StoreOpener
from ui.qt import QApplication, QLocale, QSettings, Qt, QTimer
from ui.send_context import SendContext
from ui.translations import install_qt_translations

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3
APP_NAME = "Arobase"
LOG_NAME = "erreurs.log"
QUIT_AFTER_ENV = "AROBASE_QUIT_AFTER_MS"  # smoke tests: leave the event loop after that many ms
# bench/bench_startup.py: print READY_MARKER once the dossier is on screen, then leave the event loop
QUIT_WHEN_READY_ENV = "AROBASE_QUIT_WHEN_READY"
READY_MARKER = "AROBASE_READY"

if TYPE_CHECKING:
    from app.first_read import ReadAhead
    from app.workspace import Workspace

ErrorPresenter = Callable[[str], None]
Question = Callable[[str], bool]
DAILY_CHECK_MS = 60 * 60 * 1000
RESTORE_QUESTION = "Restaurer cette sauvegarde\u00a0?"


def show_blocking_error(text: str) -> None:
    """``ui.messages.show_blocking_error``, imported when an error is shown, not at every start."""
    from ui.messages import show_blocking_error as show

    show(text)


def ask_restore(text: str) -> bool:
    from ui.messages import ask_blocking

    return ask_blocking(text, "&Restaurer la sauvegarde", "&Quitter sans rien changer")


def edition_catalog() -> EditionCatalog:
    """The downloaded editions first, then the built-in ones (as the CLI does)."""
    catalog = EditionCatalog([downloaded_editions_dir(), builtin_directory()], checked_list=checked_editions_list())
    catalog.latest_id()  # no edition installed: say so now (EditionError), not from deep inside a page
    return catalog


def open_workspace(store_path: Path) -> Workspace:
    """The store, read against ``edition_catalog()``: checked, migrated, backed up for the day."""
    from app.workspace import Workspace

    return Workspace.open(store_path, edition_catalog())


def open_at_start(store_path: Path, read_ahead: ReadAhead | None = None) -> Workspace | DeferredWorkspace:
    """At start, a file at the newest schema is shown before its store is opened (``app.first_read``);
    any other file is opened the normal way. ``read_ahead``: its read, started by the launcher."""
    return first_workspace(store_path, edition_catalog(), read_ahead) or open_workspace(store_path)


def open_store_when_shown(window: MainWindow) -> None:
    """Once the dossier is on screen, open the store proper on the store lane (before any edit is written:
    the lane runs in order, and an autosave queued earlier opens it itself)."""
    ws = window.workspace
    if not isinstance(ws, DeferredWorkspace):
        return

    def open_store() -> None:
        if not window.runner.closed:
            window.runner.run(ws.open_now, on_failure=window.controller.report_store_failure, owner=window)

    window.when_dossier_ready(open_store)


def offer_latest_backup(exc: StoreDamaged, show_error: ErrorPresenter, ask: Question) -> Workspace | None:
    """A damaged file at start: offer its latest good backup, never a new empty store; None to quit.

    Restoring keeps the damaged file beside, renamed, untouched (``app.backups.restore_backup``).
    """
    from app.backups import damaged_text, latest_good_backup, restore_backup

    backup = latest_good_backup(exc.path)
    text = damaged_text(exc, backup)
    if backup is None:
        show_error(text)
        return None
    if not ask(f"{text}\n\n{RESTORE_QUESTION}"):
        return None
    try:
        restore_backup(exc.path, backup)
        return open_workspace(exc.path)
    except (ArobaseError, StoreError) as err:
        show_error(expected_message(err) or str(err))
        return None


def keep_daily_backups(window: MainWindow, interval_ms: int = DAILY_CHECK_MS) -> QTimer:
    """A window left open for days still gets its backup of each day: checked every hour, off the GUI thread."""
    timer = QTimer(window)
    timer.setInterval(interval_ms)

    def check() -> None:
        from app.backups import take_daily  # SQLAlchemy: not on the way to the window

        ws = window.workspace
        if not window.runner.closed:
            window.runner.run(lambda: take_daily(ws.store, ws.clock))

    timer.timeout.connect(check)
    timer.start()
    return timer


def trust_system() -> None:
    """Once per run, before the first connection (not at start: truststore imports requests, 0.1 s):
    TLS is checked against the OS trust store, so town halls behind a TLS-inspecting proxy work."""
    from app.network import use_system_trust_store

    use_system_trust_store()


def build_main_window(
    workspace: Workspace,
    open_store: StoreOpener = open_workspace,
    settings: QSettings | None = None,
    *,
    first_run: bool = False,
    send_context: SendContext | None = None,
    field_filter: bool = True,
) -> MainWindow:
    """The main window on an open workspace (which it then owns); tests pass their own opener.

    ``first_run``: offer the first-run assistant on a file without a collectivity (the program does);
    ``field_filter``: install ``ui.field_filter`` now (the program installs it once the dossier shows).
    """
    app = QApplication.instance()
    if field_filter and isinstance(app, QApplication):
        install_field_filter(app)
    return MainWindow(workspace, open_store, settings, first_run=first_run, send_context=send_context)


GIL_SWITCH_S = 0.001  # Python's default is 0.005


def share_the_interpreter() -> None:
    """Hand the interpreter to the GUI thread within 1 ms of its asking, not 5.

    A worker thread building the PDF or sending keeps the GIL for up to the switch interval each time the
    GUI thread needs it back, and the event loop needs it for every Python callback it runs: at 5 ms the
    window stalled 80 to 150 ms during a 300-action PDF build (``make bench``, « pire blocage »), at 1 ms
    about 3 ms, for a build a few percent longer.
    """
    sys.setswitchinterval(GIL_SWITCH_S)


def configure_application(argv: Sequence[str]) -> QApplication:
    """Create (or reuse, under tests) the QApplication, with Arobase's names and the French locale."""
    share_the_interpreter()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("fr.villesinternet.Arobase")  # Wayland and the task bar find the menu entry's icon
    app.setWindowIcon(window_icon())
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    install_qt_translations(app)
    return app


def quit_when_ready(app: QApplication, window: MainWindow) -> None:
    """The moment start-up ends: the window is shown and the pages hold the dossier (read by the worker).

    The marker is printed from the next turn of the event loop, so the pages filled by ``dossier_ready``
    have been laid out by then (``MainWindow.when_dossier_ready``).
    """

    def ready() -> None:
        print(READY_MARKER, flush=True)
        app.exit(EXIT_OK)

    window.when_dossier_ready(ready)


def quit_delay_ms(environ: Mapping[str, str]) -> int | None:
    raw = environ.get(QUIT_AFTER_ENV, "").strip()
    return int(raw) if raw.isdigit() else None


def run(
    store_path: Path,
    *,
    show_error: ErrorPresenter = show_blocking_error,
    environ: Mapping[str, str] | None = None,
    argv: Sequence[str] | None = None,
    log_path: Path | None = None,
    ask: Question = ask_restore,
    read_ahead: ReadAhead | None = None,
    when_shown: Callable[[], None] | None = None,
) -> int:
    """Open the store and run the window until it closes. ``show_error`` and ``ask`` are injectable for tests;
    ``read_ahead``: the first read of the file, started before this module was imported (``ui.launcher``);
    ``when_shown``: work for just after the dossier is on screen (the log files), run once, at the latest
    when ``run`` returns (a start that failed, a loop left at once)."""
    environ = os.environ if environ is None else environ
    after_start = _once(when_shown)
    app = configure_application(sys.argv[:1] if argv is None else argv)
    quit_timer = QTimer()
    quit_timer.setSingleShot(True)
    # exit(), unlike quit(), also ends a nested loop such as the start-up error box's.
    quit_timer.timeout.connect(lambda: app.exit(EXIT_OK))
    delay = quit_delay_ms(environ)
    if delay is not None:
        quit_timer.start(delay)
    reporter = ErrorReporter(log_path or user_log_dir() / LOG_NAME)
    reporter.install()
    try:
        try:
            workspace = open_at_start(store_path, read_ahead)
        except StoreDamaged as exc:
            restored = offer_latest_backup(exc, show_error, ask)
            if restored is None:
                return EXIT_INPUT
            workspace = restored
        except (ArobaseError, StoreError) as exc:
            show_error(expected_message(exc) or str(exc))
            return EXIT_INPUT
        try:
            window = build_main_window(
                workspace, first_run=True, send_context=SendContext.default(trust_system), field_filter=False
            )
        except Exception as exc:
            workspace.close()
            reporter.log(exc)
            show_error(
                "Arobase n'a pas pu démarrer à cause d'une erreur inattendue. Les détails sont enregistrés dans "
                f"{reporter.log_path} : transmettez ce fichier à l'assistance."
            )
            return EXIT_INTERNAL
        window.show()
        if environ.get(QUIT_WHEN_READY_ENV):
            quit_when_ready(app, window)

        def begin() -> None:  # the dossier is on screen, or could not be read: what waited for it
            install_field_filter(app)
            QTimer.singleShot(0, after_start)

        started = _once(begin)
        window.when_dossier_ready(started)
        window.controller.load_failed.connect(lambda *_: started(), Qt.ConnectionType.SingleShotConnection)
        open_store_when_shown(window)
        keep_daily_backups(window)
        code = app.exec()
        window.close()
        window.shutdown()  # in case the loop ended without a close event reaching the window
        return code
    finally:
        quit_timer.stop()
        reporter.uninstall()
        after_start()


def _once(work: Callable[[], None] | None) -> Callable[[], None]:
    done: list[bool] = []

    def run_once() -> None:
        if work is not None and not done:
            done.append(True)
            work()

    return run_once
