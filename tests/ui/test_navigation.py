"""Around the pages: the navigation panel (live coverage figures, targets) and the deadline banner."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import FIXED_NOW, complete_dossier
from tests.test_carry_over import write_edition
from tests.ui.helpers import wait_idle
from ui.dossier_controller import DossierController
from ui.navigation import NavigationPanel
from ui.qt import QModelIndex, Qt, QWidget
from ui.tasks import TaskRunner
from ui.widgets.deadline_banner import DeadlineBanner

DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole


def _controller(ws: Workspace, runner: TaskRunner) -> DossierController:
    ctl = DossierController(ws, runner)
    ctl.load_now()
    return ctl


def _panel(qtbot: QtBot, ctl: DossierController) -> NavigationPanel:
    panel = NavigationPanel(ctl)
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_entries_in_reading_order_with_accessible_names(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    panel = _panel(qtbot, _controller(ws, runner))
    model = panel.model
    top = [model.item(r).text() for r in range(model.rowCount())]
    assert top[:2] == ["Profil de la collectivité", "Critères intercommunaux"]
    assert top[2].startswith("Démocratie & services publics — 0 / ")
    assert [t.split(" — ")[0] for t in top[6:]] == ["Actions (0)", "Mosaïque", "Dossier", "Envoi"]
    assert sum(model.item(r).rowCount() for r in range(model.rowCount())) == 16
    assert panel.view.accessibleName() == "Navigation dans le dossier"
    assert panel.text("dossier").startswith("Dossier — ") and "bloquant" in panel.text("dossier")


def test_coverage_figures_change_live_when_an_action_is_linked(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ctl = _controller(ws, runner)
    panel = _panel(qtbot, ctl)
    mediation = edition.subtheme("mediation")
    item = panel.item("subtheme:mediation")
    assert panel.text("subtheme:mediation") == f"{mediation.title} — 0 / 6"
    assert item.data(DESCRIPTION) == "0 service couvert sur 6"
    row_before = item.row()

    with qtbot.waitSignal(ctl.coverage_changed):
        uuid = ctl.create_action(title="Wifi public", services=("mediation-05",), level="en-cours")
    assert panel.text("subtheme:mediation") == f"{mediation.title} — 1 / 6"
    assert item.data(DESCRIPTION) == "1 service couvert sur 6"
    assert panel.text("actions") == "Actions (1)"

    with qtbot.waitSignal(ctl.coverage_changed):
        ctl.set_action_field(uuid, "services", ("mediation-05", "mediation-01", "innovation-02"))
    assert panel.item("subtheme:mediation") is item and item.row() == row_before  # updated in place
    assert panel.text("subtheme:mediation") == f"{mediation.title} — 2 / 6"
    assert item.data(DESCRIPTION) == "2 services couverts sur 6"
    assert item.data(Qt.ItemDataRole.AccessibleTextRole) == f"{mediation.title} : 2 services couverts sur 6"
    theme = edition.theme("connaissances")
    assert panel.text("theme:connaissances") == f"{theme.title} — 2 / {len(theme.services)}"
    assert panel.text("subtheme:innovation").endswith("— 1 / 7")

    with qtbot.waitSignal(ctl.coverage_changed):
        ctl.delete_action(uuid)
    assert panel.text("subtheme:mediation").endswith("— 0 / 6")
    wait_idle(qtbot, runner)


def test_intercommunal_criteria_only_for_an_epci(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    ctl = _controller(ws, runner)
    panel = _panel(qtbot, ctl)
    row = panel.item("epci").row()
    assert panel.view.isRowHidden(row, QModelIndex())
    ctl.set_profile_field("kind", "epci")
    assert not panel.view.isRowHidden(row, QModelIndex())
    ctl.set_profile_field("kind", "commune")
    assert panel.view.isRowHidden(row, QModelIndex())
    wait_idle(qtbot, runner)


def test_clicking_a_subtheme_emits_its_target(qtbot: QtBot, ws: Workspace, runner: TaskRunner) -> None:
    panel = _panel(qtbot, _controller(ws, runner))
    index = panel.index_of("subtheme:mediation")
    panel.view.scrollTo(index)
    with qtbot.waitSignal(panel.navigate_requested) as emitted:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(index).center())
    assert emitted.args == ["subtheme:mediation"]
    with qtbot.waitSignal(panel.navigate_requested) as emitted:
        index = panel.index_of("dossier")
        panel.view.scrollTo(index)
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(index).center())
    assert emitted.args == ["dossier"]


def test_keyboard_moves_through_entries_and_select_target_follows_the_pages(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner
) -> None:
    panel = _panel(qtbot, _controller(ws, runner))
    with qtbot.assertNotEmitted(panel.navigate_requested):
        assert panel.select_target("profile")
    assert panel.view.currentIndex() == panel.index_of("profile")
    panel.view.setFocus()

    with qtbot.waitSignal(panel.navigate_requested) as emitted:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)  # the hidden EPCI entry is skipped
    assert emitted.args == ["theme:democratie"]
    # The window shows the theme's first sub-theme: the cursor stays on the theme so that arrows can leave it.
    with qtbot.assertNotEmitted(panel.navigate_requested):
        panel.select_target("subtheme:identite")
    assert panel.view.currentIndex() == panel.index_of("theme:democratie")
    with qtbot.waitSignal(panel.navigate_requested) as emitted:
        qtbot.keyClick(panel.view, Qt.Key.Key_Down)
    assert emitted.args == ["subtheme:identite"]

    with qtbot.assertNotEmitted(panel.navigate_requested):
        assert panel.select_target("action:00000000-0000-0000-0000-000000000001")
    assert panel.view.currentIndex() == panel.index_of("actions")
    assert not panel.select_target("nulle-part")


def test_dossier_entry_counts_blocking_problems_then_shows_the_state(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ctl = _controller(ws, runner)
    panel = _panel(qtbot, ctl)
    blocking = sum(1 for p in ctl.problems() if p.blocking)
    assert panel.text("dossier") == f"Dossier — {blocking} bloquants"
    assert panel.item("dossier").data(DESCRIPTION) == f"{blocking} problèmes bloquants"

    ws.import_document(to_document(complete_dossier(edition, 2)))
    ctl.load_now()
    assert panel.text("dossier") == "Dossier — prêt à valider"
    assert panel.item("dossier").data(DESCRIPTION) == "aucun problème bloquant"

    with qtbot.waitSignal(ctl.state_changed, timeout=10_000):
        ctl.validate(lambda _s: None, pytest.fail)
    assert panel.text("dossier") == "Dossier — validé"
    wait_idle(qtbot, runner)


# ---------------------------------------------------------------------- deadline banner


def _edition_closing(tmp_path: Path, closes: date | None) -> Edition:
    folder = tmp_path / f"editions-{closes}"
    write_edition(folder, "2020", closes)
    return EditionCatalog([folder]).get("2020")


def _banner(qtbot: QtBot, edition: Edition, now: datetime = FIXED_NOW) -> tuple[QWidget, DeadlineBanner]:
    host = QWidget()  # the banner lives in the window: hidden or shown inside it, never a window itself
    qtbot.addWidget(host)
    return host, DeadlineBanner(edition, lambda: now, host)


@pytest.mark.parametrize(
    ("closes", "text", "warning"),
    [
        (date(2026, 12, 5), "Il reste 12 jours pour envoyer le dossier (clôture le 05/12/2026).", False),
        (date(2026, 11, 24), "Il reste 1 jour pour envoyer le dossier (clôture demain, le 24/11/2026).", True),
        (
            date(2026, 11, 23),
            "Dernier jour pour envoyer le dossier : la participation ferme aujourd'hui, le 23/11/2026.",
            True,
        ),
        (
            date(2026, 11, 12),
            "La participation a fermé le 12/11/2026 : contactez l'association Villes Internet.",
            True,
        ),
    ],
)
def test_deadline_banner_says_how_many_days_are_left(
    qtbot: QtBot, tmp_path: Path, closes: date, text: str, warning: bool
) -> None:
    _host, banner = _banner(qtbot, _edition_closing(tmp_path, closes))
    assert not banner.isHidden()
    assert banner.text() == text
    assert banner.accessibleDescription() == text
    assert banner.warning is warning
    assert banner.icon.pixmap() is not None and not banner.icon.pixmap().isNull()  # an icon, not only a colour
    assert banner.icon.accessibleName() == ("Avertissement" if warning else "Information")


def test_deadline_banner_follows_the_calendar_and_hides_without_a_date(
    qtbot: QtBot, tmp_path: Path, edition: Edition
) -> None:
    now = [datetime(2026, 12, 5, 8, 0)]
    host = QWidget()
    qtbot.addWidget(host)
    banner = DeadlineBanner(_edition_closing(tmp_path, date(2026, 12, 5)), lambda: now[0], host)
    assert banner.text().startswith("Dernier jour")
    now[0] = datetime(2026, 12, 6, 8, 0)
    banner.refresh()
    assert banner.text().startswith("La participation a fermé le 05/12/2026")

    assert edition.closes is None
    _host, undated = _banner(qtbot, edition)
    assert undated.isHidden() and undated.text() == ""
