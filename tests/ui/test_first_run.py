"""First run: the assistant on an empty file, « Et maintenant ? », the guide and À propos (real widgets)."""

from __future__ import annotations

import platform
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import EditionCatalog
from app.first_read import DeferredWorkspace, first_workspace
from app.paths import user_data_dir
from app.server_address import SETTINGS_KEY, shipped_server_url
from app.workspace import Workspace
from tests.factories import fixed_clock
from tests.ui.helpers import WindowFactory, key_clicks, visible_windows, wait_idle
from ui.application import build_main_window
from ui.dialogs.about_dialog import AboutDialog
from ui.dialogs.first_run_dialog import FirstRunDialog
from ui.dialogs.guide_dialog import GuideDialog, guide_path
from ui.main_window import NEXT_STEPS_KEY, MainWindow, StoreOpener
from ui.qt import QSettings, Qt, QTextDocument, QUrl, qVersion


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)


def _assistant(qtbot: QtBot, window: MainWindow) -> FirstRunDialog:
    qtbot.waitUntil(lambda: bool(visible_windows(FirstRunDialog)), timeout=5000)
    (dialog,) = visible_windows(FirstRunDialog)
    return dialog


# The offscreen platform cannot raise the completer's popup nor let it grab the keyboard in a modal dialog.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_the_assistant_fills_the_profile_through_the_controller_and_lands_on_the_panel(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings, catalog: EditionCatalog
) -> None:
    window = make_window(ws, settings=settings, first_run=True)
    dialog = _assistant(qtbot, window)
    assert dialog.server_edit.text() == shipped_server_url()

    qtbot.keyClicks(dialog.picker.edit, "Landevant")  # accents ignored, as on the profile page
    qtbot.waitUntil(dialog.picker.popup_visible, timeout=15_000)
    popup = dialog.picker.completer.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.picker.place_chosen):
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter chose the place; it did not press « Suivant »
    assert dialog.place is not None and dialog.place.name == "Landévant"
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    typed = {
        "referent_name": "Anne Le Goff",
        "referent_role": "Secrétaire de mairie",
        "referent_email": "mairie-landevant.fr",
        "referent_phone": "02 97 56 93 02",
    }
    for name, text in typed.items():
        key_clicks(qtbot, dialog.fields[name], text)
    dialog.fields["referent_email"].editingFinished.emit()
    assert "nom@domaine.fr" in dialog.fields["referent_email"].message()  # the profile page's own rule
    dialog.fields["referent_email"].setText("mairie@landevant.fr")
    assert dialog.fields["referent_email"].message() == ""
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.next_button.text() == "&Terminer"
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    profile = window.controller.profile
    assert (profile.name, profile.code, profile.departement) == ("Landévant", "56097", "56")
    assert (profile.referent_name, profile.referent_email) == ("Anne Le Goff", "mairie@landevant.fr")
    assert settings.value(SETTINGS_KEY) == shipped_server_url()
    assert window.view.next_steps.isVisible() and window.view.current_target == "profile"
    assert window.view.profile_page.line("referent_phone").text() == "02 97 56 93 02"
    # Written to the file like any edit typed on the profile page.
    window.controller.save_pending()
    wait_idle(qtbot, window.runner)
    other = Workspace.open(ws.path, catalog, clock=fixed_clock)
    try:
        assert other.profile().referent_role == "Secrétaire de mairie" and other.profile().name == "Landévant"
    finally:
        other.close()

    # The three steps link to their pages; « Masquer » hides the panel for good.
    for target in ("actions", "dossier", "send"):
        qtbot.mouseClick(window.view.next_steps.buttons[target], Qt.MouseButton.LeftButton)
        assert window.view.current_target == target
    assert settings.value(NEXT_STEPS_KEY, type=bool)
    qtbot.mouseClick(window.view.next_steps.hide_button, Qt.MouseButton.LeftButton)
    assert not window.view.next_steps.isVisible()
    assert not settings.value(NEXT_STEPS_KEY, type=bool)


def test_plus_tard_changes_nothing_and_the_assistant_comes_back_next_time(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings
) -> None:
    window = make_window(ws, settings=settings, first_run=True)
    dialog = _assistant(qtbot, window)
    qtbot.keyClicks(dialog.fields["referent_name"], "Anne")
    qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert window.controller.profile.referent_name == ""
    assert not window.view.next_steps.isVisible()
    assert settings.value(SETTINGS_KEY) is None
    window.close()
    again = make_window(Workspace.open(ws.path, ws.catalog, clock=fixed_clock), settings=settings, first_run=True)
    _assistant(qtbot, again)


def test_the_assistant_comes_over_a_window_built_on_a_dossier_read_at_start(
    qtbot: QtBot, ws: Workspace, open_store: StoreOpener, settings: QSettings, catalog: EditionCatalog
) -> None:
    """A file whose dossier exists but whose collectivity has no name yet (« Plus tard » last time) is read at
    start (app.first_read): the pages fill as the window is built, and the assistant waits for it to show."""
    ws.open_dossier(catalog.latest_id())  # the dossier row exists: the quick read takes the file
    ws.close()
    deferred = first_workspace(ws.path, catalog)
    assert isinstance(deferred, DeferredWorkspace)
    window = build_main_window(deferred, open_store, settings, first_run=True)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    assert window.dossier_is_ready
    qtbot.wait(50)
    assert not visible_windows(FirstRunDialog)  # not before the window it belongs over
    window.show()
    dialog = _assistant(qtbot, window)
    assert dialog.parent() is window
    qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.runner)
    window.close()


def test_a_wrong_server_address_keeps_the_assistant_open(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings
) -> None:
    window = make_window(ws, settings=settings, first_run=True)
    dialog = _assistant(qtbot, window)
    dialog.go_to(2)
    dialog.server_edit.setText("depot.villes-internet.net")
    dialog.finish()
    assert dialog.isVisible() and "https://" in dialog.server_edit.message()
    assert settings.value(SETTINGS_KEY) is None


def test_not_shown_once_the_profile_has_a_name(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings
) -> None:
    ws.update_profile(name="Landévant")
    window = make_window(ws, settings=settings, first_run=True)
    qtbot.wait(200)
    assert not visible_windows(FirstRunDialog)
    assert window.isVisible()


def test_the_guide_opens_offline_with_its_screenshots(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings
) -> None:
    window = make_window(ws, settings=settings)
    assert window.help.guide_action.shortcut().toString() == "F1"
    window.help.guide_action.trigger()
    (guide,) = visible_windows(GuideDialog)
    assert "Guide d'utilisation" in guide.browser.toPlainText()
    sources = re.findall(r'<img src="([^"]+)"', guide_path().read_text(encoding="utf-8"))
    assert len(sources) >= 5
    for src in sources:
        image = guide.browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(src))
        assert image is not None and not image.isNull(), src
    width, height = guide.width(), guide.height()
    assert width <= 1366 and height <= 768
    window.help.guide_action.trigger()  # F1 again: the same guide
    assert visible_windows(GuideDialog) == [guide]


def test_a_propos_gives_versions_edition_data_folder_and_licence(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, settings: QSettings
) -> None:
    import PySide6

    window = make_window(ws, settings=settings)
    window.help.about_action.trigger()
    (about,) = visible_windows(AboutDialog)
    text = about.text.text()
    for part in (
        "Arobase ",
        f"Python {platform.python_version()}",
        qVersion(),
        PySide6.__version__,
        window.controller.edition.id,
        str(user_data_dir()),
        str(ws.path),
        "EUPL-1.2",
    ):
        assert part in text, part
    assert about.text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert about.text.textFormat() == Qt.TextFormat.PlainText


def test_the_guide_and_the_server_address_are_shipped_in_the_wheel_and_the_bundle() -> None:
    """Every file of resources/guide/ and resources/server.json is package data and a data file of the spec."""
    import fnmatch
    import tomllib

    from tests.conftest import ROOT

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    spec = (ROOT / "packaging" / "arobase.spec").read_text(encoding="utf-8")
    shipped = [ROOT / "resources" / "server.json", *(ROOT / "resources" / "guide").rglob("*.*")]
    for path in shipped:
        if path.suffix in (".py", ".pyc"):  # the package's own module, and its bytecode once imported
            continue
        relative = path.relative_to(ROOT / "resources")
        package = ".".join(("resources", *relative.parts[:1])) if len(relative.parts) > 1 else "resources"
        inside = Path(*relative.parts[1:]) if len(relative.parts) > 1 else relative
        assert any(fnmatch.fnmatch(str(inside), pattern) for pattern in package_data.get(package, [])), path
    assert '"resources" / "server.json"' in spec and '"resources" / "guide"' in spec
    assert {p.name for p in (ROOT / "resources" / "guide" / "images").glob("*.png")} >= {"assistant.png", "profil.png"}
