"""« Vérifier les nouvelles éditions » against the real server process: not signed in (says where to sign in),
right after a sign-in (a new edition stored, its dossier offered with the carry-over, nothing changed
without a yes), again (ETag: nothing new), and a line that is down (the French sentence, no traceback)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import EditionCatalog, builtin_directory
from sync.errors import UNREACHABLE
from tests.faultproxy import Fault, FaultProxy
from tests.server.conftest import ServerProcess
from tests.sync.conftest import memory_keyring, proxy, server
from tests.test_carry_over import write_edition
from tests.ui.helpers import WindowFactory, click_button, visible_windows, wait_idle
from tests.ui.test_send_page import open_send_page, sign_in, town_code
from ui.dialogs.new_edition_dialog import NewEditionDialog
from ui.editions_check import NOT_SIGNED_IN, UP_TO_DATE
from ui.qt import QMessageBox, Qt

__all__ = ["memory_keyring", "proxy", "server", "town_code"]  # fixtures, reused


def test_not_signed_in_says_where_to_sign_in(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy
) -> None:
    window, page = open_send_page(make_window, tmp_path, proxy, "12345")
    window.view.navigate("profile")
    with qtbot.waitSignal(window.editions_check.finished, timeout=5_000) as said:
        window.editions_check.action.trigger()  # Fichier › Vérifier les nouvelles éditions
    assert said.args == [NOT_SIGNED_IN] and "Se connecter" in NOT_SIGNED_IN
    assert window.view.current_target == "send" and page.code_edit.hasFocus()
    assert page.editions_label.text() == NOT_SIGNED_IN and window.statusBar().currentMessage() == NOT_SIGNED_IN
    assert not window.path_label.isVisible()  # the file's path makes room: the message is seen, not squeezed
    assert not (tmp_path / "editions").exists()


def test_after_sign_in_a_new_edition_is_stored_and_its_dossier_offered(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str], server: ServerProcess,
) -> None:  # fmt: skip
    server.cli("publish-edition", str(write_edition(tmp_path / "publie", "2020", date(2027, 12, 31))))
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)
    window.controller.ws.catalog = EditionCatalog([tmp_path / "editions", builtin_directory()])  # as the program
    assert window.controller.ws.catalog.ids() == ["2019"]
    with qtbot.waitSignal(window.editions_check.offered, timeout=30_000) as offered:
        sign_in(qtbot, page, activation)  # the check runs by itself right after
    assert (tmp_path / "editions" / "2020.json").is_file() and (tmp_path / "editions" / "2019.json").is_file()
    assert "2020" in page.editions_label.text() and "Traceback" not in page.editions_label.text()
    box: QMessageBox = offered.args[0]
    assert "L'édition 2020 du questionnaire est arrivée" in box.text() and "2019 ne change pas" in box.text()
    assert box.defaultButton().text() == "&Plus tard"
    click_button(box, "&Plus tard")  # nothing changes without a yes
    wait_idle(qtbot, window.runner)
    assert not window.controller.ws.has_dossier("2020") and not visible_windows(NewEditionDialog)

    with qtbot.waitSignal(window.editions_check.finished, timeout=30_000) as said:
        qtbot.mouseClick(page.editions_button, Qt.MouseButton.LeftButton)
    assert said.args == [UP_TO_DATE] and page.editions_label.text() == UP_TO_DATE  # the ETag: nothing downloaded

    server.cli("publish-edition", str(write_edition(tmp_path / "publie", "2021", date(2028, 12, 31))))
    with qtbot.waitSignal(window.editions_check.offered, timeout=30_000) as offered:  # a newer one: offered again
        qtbot.mouseClick(page.editions_button, Qt.MouseButton.LeftButton)
    click_button(offered.args[0], "&Commencer le dossier 2021…")  # and this time accepted
    qtbot.waitUntil(lambda: bool(visible_windows(NewEditionDialog)), timeout=5_000)
    [dialog] = visible_windows(NewEditionDialog)
    assert dialog.new_edition_id == "2021"  # the existing carry-over, for the new edition
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    assert dialog.plan.new_edition == "2021" and dialog.carry_button.isEnabled()
    dialog.reject()


def test_a_line_that_is_down_gives_the_french_sentence(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str],
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code, max_attempts=1)
    with qtbot.waitSignal(window.editions_check.finished, timeout=30_000):
        sign_in(qtbot, page, activation)
    proxy.close()  # the line goes down
    with qtbot.waitSignal(window.editions_check.finished, timeout=30_000) as said:
        qtbot.mouseClick(page.editions_button, Qt.MouseButton.LeftButton)
    assert said.args == [UNREACHABLE] and page.editions_label.text() == UNREACHABLE
    assert window.statusBar().currentMessage() == UNREACHABLE and not window.editions_check.busy


def test_closing_the_window_during_a_stalled_check_does_not_wait(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path, proxy: FaultProxy, memory_keyring: None,
    town_code: tuple[str, str],
) -> None:  # fmt: skip
    code, activation = town_code
    window, page = open_send_page(make_window, tmp_path, proxy, code)  # read timeout: 20 s
    with qtbot.waitSignal(window.editions_check.finished, timeout=30_000):
        sign_in(qtbot, page, activation)
    proxy.set(Fault(stall_on=b"HTTP/1.1"))
    qtbot.mouseClick(page.editions_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(proxy.stalled.is_set, timeout=10_000)
    started = time.monotonic()
    window.close()
    assert not window.isVisible() and time.monotonic() - started < 8
