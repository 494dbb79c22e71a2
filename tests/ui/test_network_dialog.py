"""Fichier › Réglages réseau…: the system's settings by default, a typed proxy checked before it is kept
(never with a password), and the next connection of the Envoi page going through it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.network import SyncSettings
from app.secrets import SecretStore
from ui.dialogs.network_dialog import NetworkDialog
from ui.qt import QSettings
from ui.send_context import PROXY_KEY, SendContext, saved_proxy


def _dialog(qtbot: QtBot, current: str | None = None) -> NetworkDialog:
    dialog = NetworkDialog(current)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_system_settings_are_the_default(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.system_choice.isChecked() and not dialog.typed_choice.isChecked()
    dialog.accept()
    assert dialog.result() == NetworkDialog.DialogCode.Accepted and dialog.proxy is None


def test_a_typed_proxy_is_checked_then_kept_normalised(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    qtbot.keyClicks(dialog.address, "http://agent:secret@proxy.mairie.local:3128")
    assert dialog.typed_choice.isChecked()  # typing an address chooses it
    dialog.accept()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "sans identifiant ni mot de passe" in dialog.problem.text() and "secret" not in dialog.problem.text()
    assert dialog.address.text() == "http://agent:secret@proxy.mairie.local:3128"  # nothing typed is lost
    dialog.address.clear()
    dialog.accept()
    assert dialog.isVisible() and "Saisissez l'adresse du proxy" in dialog.problem.text()
    qtbot.keyClicks(dialog.address, "proxy.mairie.local:3128")
    dialog.accept()
    assert not dialog.isVisible() and dialog.proxy == "http://proxy.mairie.local:3128"


def test_going_back_to_the_system_forgets_the_proxy(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, "http://proxy.mairie.local:3128")
    assert dialog.typed_choice.isChecked() and dialog.address.text() == "http://proxy.mairie.local:3128"
    dialog.system_choice.setChecked(True)
    dialog.accept()
    assert dialog.proxy is None


def test_the_saved_proxy_is_read_back_and_a_damaged_one_ignored(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)
    assert saved_proxy(settings) is None
    settings.setValue(PROXY_KEY, "http://proxy.mairie.local:3128")
    assert saved_proxy(settings) == "http://proxy.mairie.local:3128"
    settings.setValue(PROXY_KEY, "http://agent:secret@proxy:1")  # written by hand: not used
    assert saved_proxy(settings) is None


def test_the_send_context_connects_through_the_proxy_from_the_next_session(tmp_path: Path) -> None:
    context = SendContext(tmp_path / "compte.json", SecretStore(), lambda url: SyncSettings(server=url))
    assert context.settings("https://depot.example.org").proxy is None
    first = context.session("https://depot.example.org")
    assert context.session("https://depot.example.org") is first  # one session, reused
    context.set_proxy("http://proxy.mairie.local:3128")
    assert context.settings("https://depot.example.org").proxy == "http://proxy.mairie.local:3128"
    second = context.session("https://depot.example.org")
    assert second is not first and second.proxies["https"] == "http://proxy.mairie.local:3128"
    context.set_proxy("http://proxy.mairie.local:3128")
    assert context.session("https://depot.example.org") is second  # unchanged: the same session


def test_the_file_menu_keeps_the_proxy_for_the_next_start(qtbot: QtBot, make_window, ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.helpers import ModalAnswerer

    settings = QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)
    context = SendContext(tmp_path / "compte.json", SecretStore())
    window = make_window(ws, settings=settings, send_context=context)
    assert window.network_action in window.menuBar().actions()[0].menu().actions()

    def type_proxy(dialog: NetworkDialog) -> None:
        dialog.address.setText("proxy.mairie.local:3128")
        dialog.typed_choice.setChecked(True)
        dialog.accept()

    with ModalAnswerer(qtbot, [type_proxy]):
        window.network_action.trigger()
    assert context.proxy == "http://proxy.mairie.local:3128"
    assert settings.value(PROXY_KEY) == "http://proxy.mairie.local:3128"
    later = SendContext(tmp_path / "compte.json", SecretStore())
    make_window(ws, settings=settings, send_context=later)
    assert later.proxy == "http://proxy.mairie.local:3128"  # read back at the next start
