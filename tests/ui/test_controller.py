"""The in-memory dossier and its autosave: edits reach the SQLite file within the debounce delay."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.edition import Edition, EditionCatalog
from app.edits import AUTOSAVE_DELAY_MS
from app.interchange import to_document
from app.workspace import Workspace
from tests.factories import complete_dossier, fixed_clock
from tests.ui.helpers import wait_idle
from ui.dossier_controller import DossierController
from ui.tasks import TaskRunner


def _reopen(path: Path, catalog: EditionCatalog) -> Workspace:
    return Workspace.open(path, catalog, clock=fixed_clock)


def _controller(ws: Workspace, runner: TaskRunner) -> DossierController:
    ctl = DossierController(ws, runner)
    ctl.load_now()
    return ctl


def test_text_typed_is_in_the_file_after_the_autosave(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition, catalog: EditionCatalog
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 2)))
    ctl = _controller(ws, runner)
    uuid = ctl.dossier.actions[0].uuid
    for text in ("B", "Bo", "Bon", "Bonjour <b>&amp; 👍🏽"):
        assert ctl.set_action_field(uuid, "synthesis", text)
    assert ctl.has_pending()
    with qtbot.waitSignal(ctl.saved, timeout=AUTOSAVE_DELAY_MS + 3000):
        pass
    wait_idle(qtbot, runner)
    other = _reopen(ws.path, catalog)
    assert other.load("2019").action(uuid).synthesis == "Bonjour <b>&amp; 👍🏽"
    other.close()


def test_refused_text_is_not_stored_and_the_field_says_why(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ctl = _controller(ws, runner)
    uuid = ctl.dossier.actions[0].uuid
    with qtbot.waitSignal(ctl.field_error) as blocker:
        assert not ctl.set_action_field(uuid, "title", "deux\nlignes")
    assert blocker.args[0] == f"action:{uuid}.title" and "une seule ligne" in blocker.args[1]
    assert not ctl.has_pending()
    assert ctl.action(uuid).title == "Atelier numérique n° 1"


def test_create_edit_delete_undo_and_coverage(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, catalog: EditionCatalog
) -> None:
    ctl = _controller(ws, runner)
    assert ctl.coverage().covered == 0
    uuid = ctl.create_action(title="Wifi public", services=("innovation-02",), level="en-cours")
    assert ctl.coverage().covered == 1
    ctl.set_action_field(uuid, "services", ("innovation-02", "mediation-05"))
    assert ctl.coverage().covered == 2
    ctl.save_pending()
    wait_idle(qtbot, runner)
    assert ws.load("2019").action(uuid).services == ("mediation-05", "innovation-02")
    ctl.delete_action(uuid)
    assert ctl.coverage().covered == 0 and ctl.can_undo()
    wait_idle(qtbot, runner)
    assert ws.load("2019").action(uuid) is None
    assert ctl.undo_delete() == uuid
    wait_idle(qtbot, runner)
    restored = _reopen(ws.path, catalog)
    assert restored.load("2019").action(uuid).title == "Wifi public"
    restored.close()


def test_flush_now_writes_pending_edits_at_once(ws: Workspace, runner: TaskRunner, catalog: EditionCatalog) -> None:
    ctl = _controller(ws, runner)
    ctl.set_profile_field("name", "Plouër-sur-Rance")
    ctl.set_epci_answer("epci-01", True, "SDTAN d'Ille-et-Vilaine")
    runner.shutdown()
    ctl.flush_now()
    other = _reopen(ws.path, catalog)
    assert other.profile().name == "Plouër-sur-Rance"
    assert other.load("2019").epci_answers[0].details == "SDTAN d'Ille-et-Vilaine"
    other.close()


def test_problems_are_computed_once_per_state_of_the_dossier(
    ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ctl = _controller(ws, runner)
    assert ctl.problems() == [] and ctl.status().blocking == 0
    uuid = ctl.dossier.actions[0].uuid
    ctl.set_action_field(uuid, "title", "")
    assert [p.code for p in ctl.problems()] == ["action_title"]
    assert ctl.status().blocking == 1 and ctl.status().summary.action_count == 1


def test_the_content_signals_cover_every_kind_of_edit(
    qtbot: QtBot, ws: Workspace, runner: TaskRunner, edition: Edition
) -> None:
    """The one "dossier changed" signal the summary, the problems and the mosaic listen to."""
    ws.import_document(to_document(complete_dossier(edition, 1)))
    ctl = _controller(ws, runner)
    uuid = ctl.dossier.actions[0].uuid
    criterion = edition.epci_criteria[0].id
    edits = (
        lambda: ctl.set_profile_field("referent_role", "Secrétaire"),
        lambda: ctl.set_action_field(uuid, "synthesis", "Autre synthèse"),
        lambda: ctl.set_epci_answer(criterion, True, ""),
        lambda: ctl.delete_action(uuid),
    )
    seen: list[int] = []
    for n, signal in enumerate(ctl.content_signals()):
        signal.connect(lambda *_args, n=n: seen.append(n))
    for edit in edits:
        before = len(seen)
        edit()
        assert len(seen) > before
    wait_idle(qtbot, runner)
