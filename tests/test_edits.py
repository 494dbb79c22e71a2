"""The pending-edit queue (coalescing, timing, retry) and ``Workspace.apply_edits`` on a real store file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.edition import Edition, EditionCatalog
from app.edits import (
    AUTOSAVE_DELAY_MS,
    MAX_DELAY_MS,
    ActionCreate,
    ActionDelete,
    ActionRestore,
    ActionUpdate,
    AttachmentRemove,
    EpciEdit,
    PendingEdits,
    ProfileEdit,
    replay,
)
from app.model import ActionData
from app.workspace import Workspace
from localdb.store import StoreError
from tests.factories import action, commune_profile

ED = "2019"
U1 = "00000000-0000-0000-0000-00000000000a"
U2 = "00000000-0000-0000-0000-00000000000b"


class FakeMonotonic:
    """A clock the test moves by hand (time is an input of the policy, not one of our components)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def queue(clock: FakeMonotonic) -> PendingEdits:
    return PendingEdits(clock)


def test_field_edits_coalesce_and_the_last_value_wins(queue: PendingEdits) -> None:
    queue.add(ProfileEdit({"name": "Saint"}))
    queue.add(ActionUpdate(U1, {"title": "A"}))
    queue.add(ProfileEdit({"name": "Saint-Aubin", "city": "Rennes"}))
    queue.add(ActionUpdate(U1, {"title": "Ab", "synthesis": "x"}))
    queue.add(EpciEdit("epci-01", True, "o"))
    queue.add(EpciEdit("epci-01", True, "oui"))
    assert queue.take() == [
        ProfileEdit({"name": "Saint-Aubin", "city": "Rennes"}),
        ActionUpdate(U1, {"title": "Ab", "synthesis": "x"}),
        EpciEdit("epci-01", True, "oui"),
    ]
    assert not queue


def test_edits_of_an_action_not_yet_written_fold_into_its_creation(queue: PendingEdits) -> None:
    queue.add(ActionCreate(U1, {"title": ""}))
    queue.add(ActionUpdate(U1, {"title": "Atelier"}))
    assert queue.edits == (ActionCreate(U1, {"title": "Atelier"}),)


def test_an_action_created_then_deleted_before_writing_is_never_written(queue: PendingEdits) -> None:
    queue.add(ActionCreate(U1, {"title": "Brouillon"}))
    queue.add(ActionUpdate(U2, {"title": "Autre"}))
    queue.add(ActionDelete(U1))
    assert queue.edits == (ActionUpdate(U2, {"title": "Autre"}),)


def test_delete_drops_pending_field_edits_and_restore_comes_after(queue: PendingEdits, edition: Edition) -> None:
    queue.add(ActionUpdate(U1, {"title": "perdu"}))
    queue.add(AttachmentRemove(U1, "0" * 64))
    queue.add(ActionDelete(U1))
    back = action(edition, 0, uuid=U1, title="revenu")
    queue.add(ActionRestore(back, 2))
    queue.add(ActionUpdate(U1, {"title": "revenu et modifié"}))
    assert queue.edits == (
        ActionDelete(U1),
        ActionRestore(back, 2),
        ActionUpdate(U1, {"title": "revenu et modifié"}),
    )


def test_steady_typing_is_written_within_the_maximum_delay(queue: PendingEdits, clock: FakeMonotonic) -> None:
    assert queue.delay_ms() == AUTOSAVE_DELAY_MS
    queue.add(ActionUpdate(U1, {"title": "A"}))
    assert queue.delay_ms() == AUTOSAVE_DELAY_MS
    for _ in range(9):  # a keystroke every 200 ms: the debounce alone would never fire
        clock.now += 0.2
        queue.add(ActionUpdate(U1, {"title": "Ab"}))
    assert queue.delay_ms() == MAX_DELAY_MS - 1800
    clock.now += 0.5
    assert queue.delay_ms() == 0
    queue.take()
    clock.now += 10
    queue.add(ActionUpdate(U1, {"title": "C"}))
    assert queue.delay_ms() == AUTOSAVE_DELAY_MS  # the clock starts again at the first unsaved edit


def test_put_back_keeps_newer_edits_on_top(queue: PendingEdits, clock: FakeMonotonic) -> None:
    queue.add(ActionCreate(U1, {"title": "A"}))
    queue.add(ActionUpdate(U2, {"title": "ancien", "synthesis": "gardé"}))
    batch = queue.take()
    queue.add(ActionUpdate(U2, {"title": "nouveau"}))  # typed while the batch was being written
    queue.put_back(batch)
    assert queue.edits == (
        ActionCreate(U1, {"title": "A"}),
        ActionUpdate(U2, {"title": "nouveau", "synthesis": "gardé"}),
    )
    clock.now += 5
    assert queue.delay_ms() == 0  # what already waited is written at once next time


def test_replay_merges_pending_edits_into_a_fresh_read(edition: Edition) -> None:
    from app.model import DossierData, EpciAnswerData

    a, b = action(edition, 0, uuid=U1), action(edition, 1, uuid=U2)
    fresh = DossierData(edition=ED, profile=commune_profile(), actions=(a, b))
    merged = replay(
        fresh,
        [
            ProfileEdit({"name": "Nouveau nom"}),
            ActionUpdate(U1, {"synthesis": "tapé pendant la relecture", "services": ["culture-01"]}),
            ActionDelete(U2),
            ActionCreate("00000000-0000-0000-0000-00000000000c", {"title": "Neuve"}),
            EpciEdit("epci-02", False, "non"),
        ],
    )
    assert merged.profile.name == "Nouveau nom"
    assert merged.action(U1).synthesis == "tapé pendant la relecture"
    assert merged.action(U1).services == ("culture-01",)
    assert merged.action(U2) is None
    assert merged.actions[-1] == ActionData(uuid="00000000-0000-0000-0000-00000000000c", title="Neuve")
    assert merged.epci_answers == (EpciAnswerData("epci-02", False, "non"),)


# ---------------------------------------------------------------------- Workspace.apply_edits on a real file


def test_a_batch_is_one_transaction_and_a_bad_item_is_isolated(ws: Workspace, edition: Edition) -> None:
    ws.open_dossier(ED)
    kept = ws.create_action(ED, title="Existante")
    report = ws.apply_edits(
        ED,
        [
            ProfileEdit({"name": "Saint-Aubin"}),
            ActionCreate(U1, {"title": "Neuve", "services": ["culture-01"]}),
            ActionUpdate("00000000-0000-0000-0000-0000000000ff", {"title": "disparue"}),  # not in the dossier
            ActionUpdate(kept.uuid, {"level": "inconnu"}),  # not a level of the edition
            ActionUpdate(kept.uuid, {"synthesis": "écrite"}),
            EpciEdit("epci-01", True, "oui"),
        ],
    )
    assert [type(f.edit).__name__ for f in report.failed] == ["ActionUpdate", "ActionUpdate"]
    assert all(not f.retry and f.message for f in report.failed)
    assert len(report.written) == 4
    data = ws.load(ED)
    assert data.profile.name == "Saint-Aubin"
    assert [a.title for a in data.actions] == ["Existante", "Neuve"]
    assert data.action(U1).services == ("culture-01",)
    assert data.action(kept.uuid).synthesis == "écrite" and data.action(kept.uuid).level is None
    assert data.epci_answers[0].answer is True


def test_a_store_failure_fails_the_whole_batch_and_writes_nothing(
    store_path: Path, catalog: EditionCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AROBASE_BUSY_TIMEOUT_MS", "0")
    with Workspace.open(store_path, catalog) as ws:
        ws.open_dossier(ED)
        ws.create_action(ED, action_uuid=U2, title="Avant")
        other = sqlite3.connect(store_path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(StoreError, match="utilisé par un autre programme"):
                ws.apply_edits(ED, [ActionCreate(U1, {"title": "Neuve"}), ActionUpdate(U2, {"title": "Après"})])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert [a.title for a in ws.load(ED).actions] == ["Avant"]
