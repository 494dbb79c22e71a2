"""Every control of every page and dialog has a name a screen reader can say, and Tab always leaves a page.

The pages are reached through the window's own navigation, on an intercommunality's dossier (so that
the criteria page has content) with an action selected; the dialogs are the ones the application opens.
A control counts as named when Qt's accessibility interface gives it a name (its accessible name, a
button's text, or the text of the label whose buddy it is).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import EditionCatalog, builtin_directory
from app.interchange import to_document, write_document
from app.workspace import Workspace
from tests.factories import commune_profile, complete_dossier, epci_answers, fixed_clock
from tests.test_carry_over import old_dossier, renamed_2020, write_edition
from tests.test_contributions import contributed_dossier
from tests.ui.helpers import ModalAnswerer, WindowFactory, visible_windows, wait_idle
from ui.main_window import MainWindow
from ui.qt import (
    QAbstractButton,
    QAbstractSpinBox,
    QAccessible,
    QApplication,
    QComboBox,
    QLabel,
    QSettings,
    Qt,
    QWidget,
)

TARGETS = ("profile", "epci", "subtheme:mediation", "actions", "action", "mosaic", "dossier", "send")


def _name(widget: QWidget) -> str:
    """What a screen reader says for ``widget``: Qt's accessible name (own name, text, buddy label)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    name = iface.text(QAccessible.Text.Name) if iface is not None else ""
    return (name or widget.accessibleName()).replace("&", "").strip()


def _focusable(root: QWidget) -> list[QWidget]:
    """The controls Tab can reach under ``root`` (internal editors of spin and combo boxes excluded)."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not (widget.isVisible() and widget.isEnabled()) or widget.focusProxy() is not None:
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # the box itself is the control
        found.append(widget)
    return found


def unnamed_controls(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.window().findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in _focusable(root):
        if _name(widget) or id(widget) in buddies:
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue
        missing.append(f"{type(widget).__name__} {widget.objectName()!r} (dans {type(widget.parentWidget()).__name__})")
    return missing


def leaves_with_tab(qtbot: QtBot, page: QWidget) -> bool:
    """From the page's first control, Tab (as many times as it has controls, and more) reaches outside it."""
    controls = _focusable(page)
    if not controls:
        return True
    controls[0].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    presses = 0
    while presses < min(len(_focusable(page)) + 10, 400):  # a selection can show more controls on the way
        presses += 1
        focus = QApplication.focusWidget()
        if focus is None or not (focus is page or page.isAncestorOf(focus)):
            return True
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    return False


def stuck_controls(qtbot: QtBot, root: QWidget) -> list[str]:
    """The controls that keep the focus when Tab is pressed in them (a text box that takes Tab as text)."""
    controls = _focusable(root)
    stuck = []
    for control in controls if len(controls) > 1 else []:
        if not (control.isVisible() and control.isEnabled()):
            continue
        control.setFocus(Qt.FocusReason.TabFocusReason)
        if QApplication.focusWidget() is not control:
            continue  # it does not take the focus here (hidden behind a tab, read-only state…)
        qtbot.keyClick(control, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is control:
            stuck.append(f"{type(control).__name__} {_name(control)!r}")
    return stuck


def _epci_window(ws: Workspace, make_window: WindowFactory, edition_id: str = "2019") -> MainWindow:
    edition = ws.edition(edition_id)
    profile = commune_profile(kind="epci", name="Rennes Métropole", code="243500139", population=473973)
    ws.import_document(to_document(complete_dossier(edition, 2, profile=profile, epci_answers=epci_answers(edition))))
    return make_window(ws)


def _activate(qtbot: QtBot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitActive(window)


def test_every_page_names_its_controls_and_lets_tab_leave(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory
) -> None:
    window = _epci_window(ws, make_window)
    window.resize(1366, 768)
    _activate(qtbot, window)
    view = window.view
    problems: dict[str, list[str]] = {}
    traps = []
    first_action = window.controller.dossier.actions[0].uuid
    for target in TARGETS:
        assert view.navigate(f"action:{first_action}" if target == "action" else target), target
        wait_idle(qtbot, window.runner)
        page = view.stack.currentWidget()
        missing = unnamed_controls(page)
        if missing:
            problems[target] = missing
        if not leaves_with_tab(qtbot, page):
            traps.append(target)
        traps += [f"{target}: {c}" for c in stuck_controls(qtbot, page)]
    for name, part in (("navigation", view.navigation), ("bandeau", view.banner), ("étapes", view.next_steps)):
        view.next_steps.show()
        missing = unnamed_controls(part)
        if missing:
            problems[name] = missing
    assert problems == {}
    assert traps == []


def _check_dialog(qtbot: QtBot, dialog: QWidget, found: dict[str, list[str]], traps: list[str]) -> None:
    qtbot.waitUntil(dialog.isVisible)
    title = dialog.windowTitle() or type(dialog).__name__
    assert _focusable(dialog), f"{title} : aucun contrôle trouvé (le test ne verrait rien)"
    missing = unnamed_controls(dialog)
    if missing:
        found[title] = missing
    # Tab cycles inside a dialog by design: the trap would be a control that Tab cannot leave.
    traps += [f"{title}: {c}" for c in stuck_controls(qtbot, dialog)]


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_every_dialog_names_its_controls(
    qtbot: QtBot, ws: Workspace, make_window: WindowFactory, tmp_path: Path, catalog: EditionCatalog
) -> None:
    window = _epci_window(ws, make_window)
    _activate(qtbot, window)
    found: dict[str, list[str]] = {}
    traps: list[str] = []
    ctl, runner = window.controller, window.runner

    from ui.dialogs.about_dialog import open_about
    from ui.dialogs.contributions_dialog import open_contributions_dialog
    from ui.dialogs.first_run_dialog import FirstRunDialog
    from ui.dialogs.guide_dialog import open_guide
    from ui.dialogs.network_dialog import NetworkDialog
    from ui.dialogs.print_preview import open_print_preview
    from ui.dialogs.restore_dialog import open_restore_dialog
    from ui.dialogs.unsaved_dialog import ask_unsaved
    from ui.messages import show_file_written

    contributed = tmp_path / "fiches.json"
    write_document(to_document(contributed_dossier(ctl.edition)), contributed)
    settings = QSettings(str(tmp_path / "reglages.ini"), QSettings.Format.IniFormat)
    opened: list[QWidget] = [
        open_about(window, "2019", ws.path),
        open_guide(window),
        open_restore_dialog(window, ctl, runner, lambda p: Workspace.open(p, catalog), lambda _ws: None),
        open_contributions_dialog(window, ctl, runner, contributed),
        open_print_preview(window, ctl, runner),
        show_file_written(window, "Le dossier est exporté.", tmp_path / "dossier.json"),
        FirstRunDialog(ctl, runner, settings, window.view.profile_page.apply_place, window),
    ]
    opened[-1].show()
    network = NetworkDialog("http://proxy.mairie.local:3128", window)
    network.show()
    opened.append(network)
    question = window.view.dossier_page.validate()  # the validation question (the dossier is complete)
    assert question is not None
    opened.append(question)
    offer = window.editions_check.offer(["2020"], "2019")  # « commencer le dossier 2020 ? »
    assert offer is not None
    opened.append(offer)
    for dialog in opened:
        assert dialog is not None
        _check_dialog(qtbot, dialog, found, traps)
        wait_idle(qtbot, runner)
        dialog.close()
    first_run = opened[6]
    assert isinstance(first_run, FirstRunDialog)
    for step in range(1, 3):  # the assistant's other steps
        first_run.show()
        first_run.go_to(step)
        _check_dialog(qtbot, first_run, found, traps)
        first_run.close()

    closer = ModalAnswerer(qtbot, dismiss=True, inspect=lambda box: _check_dialog(qtbot, box, found, traps)).start()
    try:
        ask_unsaved(window, "Le disque est plein.")  # modal: inspected, then dismissed by the closer
    finally:
        closer.stop()
    assert "QMessageBox" in closer.dismissed
    assert found == {}
    assert traps == []


def test_the_new_edition_dialog_names_its_controls(qtbot: QtBot, tmp_path: Path, make_window: WindowFactory) -> None:
    write_edition(tmp_path / "editions", "2020", date(2026, 12, 5), renamed_2020)
    catalog = EditionCatalog([tmp_path / "editions", builtin_directory()])
    ws = Workspace.open(tmp_path / "commune.sqlite", catalog, clock=fixed_clock)
    ws.import_document(to_document(old_dossier(ws.edition("2019"))))
    window = make_window(ws)
    from ui.dialogs.new_edition_dialog import NewEditionDialog, open_new_edition_dialog

    dialog = open_new_edition_dialog(window, window.controller, window.runner, lambda _p: None)
    assert isinstance(dialog, NewEditionDialog)
    with qtbot.waitSignal(dialog.plan_ready, timeout=10_000):
        pass
    found: dict[str, list[str]] = {}
    traps: list[str] = []
    _check_dialog(qtbot, dialog, found, traps)
    assert visible_windows(NewEditionDialog)
    assert found == {}
    assert traps == []
