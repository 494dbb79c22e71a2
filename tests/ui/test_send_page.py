"""The Envoi page against the real server process on 127.0.0.1, through the fault proxy, on real store files.

Signing in (a wrong code, then the right one), sending a validated dossier until the window shows
« reçu », a send cut by the line then resumed from the page (exactly one submission on the server),
cancel then resume, the event loop never stalling during a send, another collectivity's dossier,
« Réessayer », and signing out without a keyring.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app import outbox
from app.secrets import NO_KEYRING, SecretStore
from app.workspace import Workspace
from tests.factories import fixed_clock
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import (
    FAIL_KEYRING,
    fast_settings,
    memory_keyring,
    new_insee,
    proxy,
    validated_workspace,
)
from tests.sync.test_send import submissions_for
from tests.ui.helpers import WindowFactory, wait_idle
from ui.main_window import MainWindow
from ui.pages.send_page import NOT_KEPT, SendPage
from ui.qt import QSettings, Qt, QTimer
from ui.send_context import SendContext

__all__ = ["memory_keyring", "proxy"]  # the sync suite's fixtures, reused (the server: tests/ui/conftest.py)
NAME = "Commune d'essai"


def open_send_page(
    make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, code: str, **changes: Any
) -> tuple[MainWindow, SendPage]:
    """The real window on a store whose 2019 dossier (collectivity ``code``) is validated, on the Envoi page."""
    ws = validated_workspace(tmp_path / "commune.sqlite", code, NAME, tmp_path)
    return window_on(make_window, ws, tmp_path, proxy, **changes)


def window_on(
    make_window: WindowFactory, ws: Workspace, tmp_path: Path, proxy: FaultProxy, **changes: Any
) -> tuple[MainWindow, SendPage]:
    """The window on ``ws``, on the Envoi page, with this test's account file, settings and a new secret store."""
    context = SendContext(tmp_path / "config" / "compte.json", SecretStore(), lambda url: fast_settings(url, **changes),
                          editions_dir=tmp_path / "editions")  # fmt: skip
    settings = QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)
    window = make_window(ws, settings=settings, send_context=context)
    window.resize(1366, 768)
    assert window.view.navigate("send")
    page = window.view.send_page
    page.server_edit.setText(proxy.url)
    return window, page


def sign_in(qtbot: QtBot, page: SendPage, code: str, *, keyboard: bool = False) -> None:
    page.code_edit.setText(code)
    if keyboard:  # Entrée in the code field, as a keyboard user signs in
        page.code_edit.setFocus()
        qtbot.keyClick(page.code_edit, Qt.Key.Key_Return)
    else:
        qtbot.mouseClick(page.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.login_message.text() != "Connexion au serveur…", timeout=20_000)


def open_signed_in(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, town_code: tuple[str, str]
) -> tuple[MainWindow, SendPage, str]:
    """The Envoi page of a validated dossier, signed in with the town's activation code; its INSEE code."""
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)
    sign_in(qtbot, page, activation)
    return window, page, code


def click_send(qtbot: QtBot, page: SendPage, while_sending: Callable[[], None] | None = None) -> Any:
    with qtbot.waitSignal(page.send_finished, timeout=60_000) as blocker:
        qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
        assert page.sending and page.cancel_button.isEnabled() and not page.send_button.isEnabled()
        if while_sending is not None:
            while_sending()
    return blocker.args[0]


def states(window: MainWindow) -> list[str]:
    return [e.state for e in outbox.entries(window.controller.ws)]


@pytest.fixture
def town_code(server: ServerProcess) -> tuple[str, str]:
    code = new_insee()
    return code, server.activation_code(code, NAME)


def test_sign_in_with_a_wrong_then_the_right_code_shows_the_account(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str],
) -> None:  # fmt: skip
    code, activation = town_code
    _window, page = open_send_page(make_window, tmp_path, proxy, code)
    assert page.account_label.text() == "Non connecté." and not page.send_button.isEnabled()
    sign_in(qtbot, page, "PAS-LE-BON-CODE")
    assert "code" in page.login_message.text().lower() and "Traceback" not in page.login_message.text()
    assert page.account is None
    sign_in(qtbot, page, activation, keyboard=True)
    assert page.login_message.text() == "Connexion réussie."
    text = page.account_label.text()
    assert NAME in text and f"code {code}" in text and "2019" in text and "l'association pour" in text
    assert page.code_edit.text() == ""  # the code is never kept
    assert not page.warning_label.isVisible()  # a keyring exists: nothing to warn about
    assert page.send_button.isEnabled() and page.logout_button.isEnabled()
    assert activation not in Path(tmp_path / "reglages.ini").read_text(encoding="utf-8")
    assert QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat).value("server/url") == proxy.url


def test_send_shows_the_receipt_and_reçu_without_stalling_the_window(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    window, page, code = open_signed_in(qtbot, make_window, tmp_path, proxy, town_code)
    assert page.model.rowCount() == 1 and page.model.values(page.model.entry(0))[2] == "en attente"
    proxy.set(Fault(throttle=250_000))  # about a second and a half on the wire: long enough to measure
    gaps: list[float] = []
    last = [time.monotonic()]
    values: list[int] = []

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now
        values.append(page.progress.value())

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    report = click_send(qtbot, page)
    timer.stop()
    assert report.all_sent, report
    longest = max(gaps[1:]) * 1000
    print(f"\nlongest event-loop gap during the send: {longest:.0f} ms over {len(gaps)} ticks")
    assert longest < 100, f"the window stalled {longest:.0f} ms"  # aim 50 ms; a shared CI machine adds noise
    assert max(values[:-1]) > 0 and page.progress.value() == 100
    wait_idle(qtbot, window.runner)
    [entry] = outbox.entries(window.controller.ws)
    assert entry.receipt_number and entry.receipt_number in page.report_label.text()
    assert page.model.values(page.model.entry(0))[2] == "reçu par l'association"
    assert page.model.values(page.model.entry(0))[5] == entry.receipt_number
    assert window.controller.status().summary.state == "recu" and window.summary.text("state") == "reçu"
    assert submissions_for(server, code) == 1


def test_a_send_cut_by_the_line_resumes_from_the_page_exactly_once(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code, max_attempts=1)  # no retry by itself
    sign_in(qtbot, page, activation)
    proxy.set(Fault(cut_after=120_000, direction="up", reset=True))  # in the middle of the first attachment
    report = click_send(qtbot, page)
    assert proxy.fired.is_set() and not report.all_sent, report
    wait_idle(qtbot, window.runner)
    assert states(window) == ["en_attente"] and submissions_for(server, code) == 0
    assert "en attente" in page.report_label.text() and "Traceback" not in page.report_label.text()
    assert page.model.values(page.model.entry(0))[4]  # the last error, in French, in the table
    report = click_send(qtbot, page)
    assert report.all_sent, report
    wait_idle(qtbot, window.runner)
    assert states(window) == ["envoye"] and submissions_for(server, code) == 1
    assert window.controller.status().summary.state == "recu"


def test_cancel_then_resume(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    window, page, code = open_signed_in(qtbot, make_window, tmp_path, proxy, town_code)
    proxy.set(Fault(throttle=60_000))

    def cancel_once_started() -> None:
        qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=20_000)
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)

    report = click_send(qtbot, page, cancel_once_started)
    assert report.cancelled and "interrompu à votre demande" in page.report_label.text()
    wait_idle(qtbot, window.runner)
    assert states(window) != ["envoye"] and submissions_for(server, code) == 0
    assert not page.sending and page.send_button.isEnabled() and not page.cancel_button.isVisible()
    proxy.set(Fault())
    assert click_send(qtbot, page).all_sent
    wait_idle(qtbot, window.runner)
    assert states(window) == ["envoye"] and submissions_for(server, code) == 1


def test_another_collectivitys_dossier_is_refused_then_retried(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, new_insee())  # the dossier of another commune
    sign_in(qtbot, page, activation)
    report = click_send(qtbot, page)
    assert report.wire_bytes == 0 and submissions_for(server, code) == 0
    assert "cet ordinateur est connecté pour" in page.report_label.text()
    wait_idle(qtbot, window.runner)
    assert states(window) == ["a_verifier"]
    assert page.model.values(page.model.entry(0))[2] == "à vérifier" and not page.retry_button.isEnabled()
    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.runner)
    assert states(window) == ["en_attente"] and page.model.values(page.model.entry(0))[2] == "en attente"


def test_without_a_keyring_the_page_says_so_and_signing_out_forgets_the_account(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch,
    town_code: tuple[str, str],
) -> None:  # fmt: skip
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FAIL_KEYRING)
    keyring.core.init_backend()
    code, activation = town_code
    _window, page = open_send_page(make_window, tmp_path, proxy, code)
    sign_in(qtbot, page, activation)
    assert page.account is not None and page.warning_label.isVisible() and page.warning_label.text() == NO_KEYRING
    account_path = page.context.account_path
    assert account_path.exists()
    # The next start (a new secret store): the account is known, its tokens are not; the page says what to do.
    later = SendContext(account_path, SecretStore(), lambda url: fast_settings(url))
    again = make_window(Workspace.open(tmp_path / "commune.sqlite", clock=fixed_clock), send_context=later,
                        settings=QSettings(str(tmp_path / "reglages2.ini"), QSettings.Format.IniFormat))  # fmt: skip
    assert again.view.navigate("send")
    qtbot.waitUntil(lambda: NOT_KEPT in again.view.send_page.account_label.text(), timeout=10_000)
    assert again.view.send_page.warning_label.text() == NO_KEYRING
    qtbot.mouseClick(page.logout_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.account is None, timeout=20_000)
    assert "Déconnecté" in page.login_message.text() or "déconnect" in page.login_message.text().lower()
    assert page.account_label.text() == "Non connecté." and not account_path.exists()
    assert not page.send_button.isEnabled() and not page.logout_button.isEnabled()


def test_automatic_sending_sends_when_signed_in_and_waits_while_an_edit_is_pending(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)
    page.auto.base_ms = page.auto.busy_ms = 50
    sign_in(qtbot, page, activation)
    window.controller.reopen()  # « Modifier (nouvelle révision) »: revision 1 waits in the outbox, 2 is a draft
    wait_idle(qtbot, window.runner)
    assert window.controller.set_profile_field("name", "Commune d'essai (en cours de saisie)")
    assert window.controller.has_pending() and page.auto_send_now() is False  # never while a field is typed
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    assert not window.controller.has_pending()
    with qtbot.waitSignal(page.send_finished, timeout=30_000):
        page.auto_check.setChecked(True)
    wait_idle(qtbot, window.runner)
    assert states(window) == ["envoye"] and submissions_for(server, code) == 1
    assert window.controller.status().summary.state == "brouillon"  # the draft of revision 2 is left alone
    assert QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat).value("send/auto") in (True, "true")


def test_closing_the_window_during_a_stalled_send_is_quick_and_the_next_start_sends_once(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)  # read timeout: 20 s
    sign_in(qtbot, page, activation)
    proxy.set(Fault(stall_on=b"receipt_number"))  # the server stored the submission; its answer never comes
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(proxy.stalled.is_set, timeout=30_000)
    started = time.monotonic()
    window.close()  # no question: the outbox makes the next send resume
    elapsed = time.monotonic() - started
    print(f"\nclosing the window during a stalled send took {elapsed * 1000:.0f} ms")
    assert not window.isVisible()
    assert elapsed < 8, f"closing took {elapsed:.1f} s: it waited for the read timeout (20 s)"
    assert submissions_for(server, code) == 1
    reopened = Workspace.open(tmp_path / "commune.sqlite", clock=fixed_clock)
    assert [e.state for e in outbox.entries(reopened)] == ["en_attente"]  # nothing lost, nothing marked sent
    later, page = window_on(make_window, reopened, tmp_path, proxy)
    assert page.account is not None  # still signed in: the tokens are in the keyring
    report = click_send(qtbot, page)
    assert report.all_sent, report
    wait_idle(qtbot, later.runner)
    assert states(later) == ["envoye"] and submissions_for(server, code) == 1
    assert outbox.entries(later.controller.ws)[0].receipt_number


def test_the_network_coming_back_sends_the_pending_entries(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    from ui.qt import network_information

    window, page, code = open_signed_in(qtbot, make_window, tmp_path, proxy, town_code)
    page.auto.base_ms = page.auto.busy_ms = 600_000  # the timer alone would wait ten minutes
    page.auto_check.setChecked(True)
    assert page.auto.timer.remainingTime() > 60_000 and states(window) == ["en_attente"]
    info = network_information()
    with qtbot.waitSignal(page.send_finished, timeout=30_000) as finished:
        if info is not None:  # Qt has a backend here (glib, NetworkManager): its own signal, as the system sends it
            info.reachabilityChanged.emit(type(info).Reachability.Online)
        else:  # no backend on this platform: the slot that signal is connected to
            page.auto.reachability_changed(type("Reachability", (), {"name": "Online"})())
    assert finished.args[0].all_sent
    wait_idle(qtbot, window.runner)
    assert states(window) == ["envoye"] and submissions_for(server, code) == 1
