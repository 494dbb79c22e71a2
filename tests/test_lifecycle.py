"""Lifecycle of a dossier: brouillon → validé → envoyé → reçu, frozen snapshots and new revisions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.edition import Edition
from app.edits import ActionUpdate
from app.interchange import to_document
from app.model import ActionData
from app.workspace import DossierFrozen, TransitionError, ValidationBlocked, Workspace
from localdb import models as m
from sync import dossier_format
from tests.factories import FIXED_NOW, action, complete_dossier, dump_store

ED = "2019"
RECEIVED_AT = datetime(2026, 11, 24, 8, 0, 0)


def events(ws: Workspace) -> list[tuple[str | None, str, int, str]]:
    with ws.store.read() as s:
        rows = s.scalars(select(m.DossierEvent).order_by(m.DossierEvent.id))
        return [(e.from_state, e.to_state, e.revision, e.detail) for e in rows]


def snapshot_rows(ws: Workspace) -> dict[int, tuple[str, str]]:
    with ws.store.read() as s:
        return {x.revision: (x.sha256, x.content) for x in s.scalars(select(m.Snapshot))}


@pytest.fixture
def filled(ws: Workspace, edition: Edition) -> Workspace:
    ws.import_document(to_document(complete_dossier(edition, 3)))
    return ws


def test_full_lifecycle_and_journal(filled: Workspace, store_path: Path) -> None:
    ws = filled
    snap = ws.validate(ED)
    assert (snap.revision, snap.validated_at, snap.sent_at, snap.receipt_id) == (1, "2026-11-23T10:30:00Z", None, None)
    assert ws.load(ED).state == "valide"
    assert ws.dossier_summaries()[0].snapshot_sha256 == snap.sha256

    sent = ws.mark_sent(ED)
    assert sent.sha256 == snap.sha256 and sent.sent_at == "2026-11-23T10:30:00Z"
    assert ws.load(ED).state == "envoye"

    got = ws.record_receipt(ED, "AR-2026-0042", snap.sha256, RECEIVED_AT)
    assert (got.receipt_id, got.received_at) == ("AR-2026-0042", "2026-11-24T08:00:00Z")
    assert ws.load(ED).state == "recu"

    data = ws.reopen(ED)
    assert (data.state, data.revision) == ("brouillon", 2)
    assert len(data.actions) == 3
    # The receipt of revision 1 is kept.
    assert ws.snapshots(ED) == [got]
    assert ws.dossier_summaries()[0].snapshot_sha256 is None  # revision 2 is not validated yet

    assert events(ws) == [
        (None, "brouillon", 1, "dossier créé"),
        ("brouillon", "valide", 1, ""),
        ("valide", "envoye", 1, ""),
        ("envoye", "recu", 1, "accusé AR-2026-0042"),
        ("recu", "brouillon", 2, "modification demandée"),
    ]
    with ws.store.read() as s:
        assert {e.at for e in s.scalars(select(m.DossierEvent))} == {FIXED_NOW}

    # Revision 2 validates into a second snapshot; the first one stays.
    ws.update_action(ED, data.actions[0].uuid, title="Titre changé")
    snap2 = ws.validate(ED)
    assert snap2.revision == 2 and snap2.sha256 != snap.sha256
    assert [x.revision for x in ws.snapshots(ED)] == [1, 2]
    assert ws.snapshots(ED)[0] == got


def _assert_refused(ws: Workspace, store_path: Path, call: Callable[[], object], *words: str) -> None:
    before = dump_store(store_path)
    with pytest.raises(TransitionError) as err:
        call()
    for word in words:
        assert word in err.value.message
    assert dump_store(store_path) == before


def test_forbidden_transitions_from_brouillon(filled: Workspace, store_path: Path) -> None:
    ws = filled
    _assert_refused(ws, store_path, lambda: ws.mark_sent(ED), "brouillon", "validé", "envoyé")
    _assert_refused(ws, store_path, lambda: ws.record_receipt(ED, "AR-1", "0" * 64, RECEIVED_AT), "brouillon", "reçu")
    _assert_refused(ws, store_path, lambda: ws.reopen(ED), "déjà un brouillon")
    assert ws.load(ED).state == "brouillon"


def test_forbidden_transitions_from_valide(filled: Workspace, store_path: Path) -> None:
    ws = filled
    snap = ws.validate(ED)
    _assert_refused(ws, store_path, lambda: ws.validate(ED), "déjà validé", "révision 1")
    _assert_refused(ws, store_path, lambda: ws.record_receipt(ED, "AR-1", snap.sha256, RECEIVED_AT), "validé", "reçu")
    assert ws.load(ED).state == "valide"


def test_forbidden_transitions_from_envoye(filled: Workspace, store_path: Path) -> None:
    ws = filled
    snap = ws.validate(ED)
    ws.mark_sent(ED)
    _assert_refused(ws, store_path, lambda: ws.validate(ED), "déjà envoyé")
    _assert_refused(ws, store_path, lambda: ws.mark_sent(ED), "envoyé")
    _assert_refused(
        ws, store_path, lambda: ws.record_receipt(ED, "AR-1", "f" * 64, RECEIVED_AT), "empreintes différentes"
    )
    _assert_refused(
        ws, store_path, lambda: ws.record_receipt(ED, "AR-1", snap.sha256.upper(), RECEIVED_AT), "empreintes"
    )
    assert ws.load(ED).state == "envoye"
    assert ws.snapshots(ED)[0].receipt_id is None


def test_forbidden_transitions_from_recu(filled: Workspace, store_path: Path) -> None:
    ws = filled
    snap = ws.validate(ED)
    ws.mark_sent(ED)
    ws.record_receipt(ED, "AR-1", snap.sha256, RECEIVED_AT)
    _assert_refused(ws, store_path, lambda: ws.validate(ED), "déjà reçu")
    _assert_refused(ws, store_path, lambda: ws.mark_sent(ED), "reçu")
    _assert_refused(ws, store_path, lambda: ws.record_receipt(ED, "AR-2", snap.sha256, RECEIVED_AT), "reçu")


def test_transitions_without_dossier(ws: Workspace, store_path: Path) -> None:
    ws.update_profile(name="Vitré")
    _assert_refused(ws, store_path, lambda: ws.validate(ED), "pas encore de dossier")
    _assert_refused(ws, store_path, lambda: ws.mark_sent(ED), "pas de dossier")
    _assert_refused(ws, store_path, lambda: ws.record_receipt(ED, "AR", "0" * 64, RECEIVED_AT), "pas de dossier")
    _assert_refused(ws, store_path, lambda: ws.reopen(ED), "brouillon")


def test_validation_blocked_lists_problems_and_changes_nothing(
    ws: Workspace, edition: Edition, store_path: Path
) -> None:
    dossier = complete_dossier(
        edition,
        actions=(action(edition, 0, services=()), action(edition, 1, title="", level=None)),
        profile=complete_dossier(edition).profile.updated(referent_email="mairie-at-example"),
    )
    ws.import_document(to_document(dossier))
    before = dump_store(store_path)
    with pytest.raises(ValidationBlocked) as err:
        ws.validate(ED)
    problems = err.value.problems
    assert {p.code for p in problems} == {"referent_email", "action_services", "action_title", "action_level"}
    assert all(p.blocking for p in problems)
    assert err.value.message.startswith("Le dossier ne peut pas être validé, 4 problèmes à régler")
    for p in problems:
        assert p.message in err.value.message
    assert dump_store(store_path) == before
    assert ws.snapshots(ED) == []

    # Advice only (an action "en projet") does not block.
    first = ws.load(ED).actions
    ws.update_profile(referent_email="mairie@vitre.fr")
    ws.update_action(ED, first[0].uuid, services=("identite-01",))
    ws.update_action(ED, first[1].uuid, title="Titre", level="projet")
    assert ws.check(ED) and not [p for p in ws.check(ED) if p.blocking]
    assert ws.validate(ED).revision == 1


def test_snapshot_is_the_canonical_export(filled: Workspace) -> None:
    ws = filled
    snap = ws.validate(ED)
    (sha, content), *_ = snapshot_rows(ws).values()
    raw = content.encode("utf-8")
    assert sha == snap.sha256 == hashlib.sha256(raw).hexdigest()
    assert dossier_format.canonical_json(json.loads(content)) == raw
    export = ws.export_document(ED)
    assert set(export) >= {"exported_at", "generator", "state"}
    body = dossier_format.snapshot_body(export)
    assert json.loads(content) == body
    assert ws.snapshot_document(ED, 1) == body
    assert dossier_format.snapshot_hash(export) == sha
    assert "state" not in body and body["revision"] == 1
    # The hash does not depend on when or by whom the copy was exported.
    other = {**export, "exported_at": "2030-01-01T00:00:00Z", "generator": "autre", "state": "recu"}
    assert dossier_format.snapshot_hash(other) == sha


def _edit_update_action(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.update_action(ED, ws.load(ED).actions[0].uuid, title="Changé", new_revision=new_revision)


def _edit_create_action(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.create_action(ED, title="Nouvelle", new_revision=new_revision)


def _edit_delete_action(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.delete_action(ED, ws.load(ED).actions[0].uuid, new_revision=new_revision)


def _edit_restore_action(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    gone = ActionData(uuid="3f0c8c7e-2a4b-4f6e-9a51-0d9c1e7b5a21", title="Remise")
    ws.restore_action(ED, gone, 0, new_revision=new_revision)


def _edit_epci(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.set_epci_answer(ED, "epci-01", True, "oui", new_revision=new_revision)


def _edit_profile(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.update_profile(population=2000, new_revision=new_revision)


def _edit_attachment(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    f = tmp / "a.txt"
    f.write_text("x", encoding="utf-8")
    ws.add_attachment(ED, ws.load(ED).actions[0].uuid, f, new_revision=new_revision)


def _edit_remove_attachment(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.remove_attachment(ED, ws.load(ED).actions[0].uuid, "0" * 64, new_revision=new_revision)


def _edit_services(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    ws.set_services(ED, ws.load(ED).actions[0].uuid, ["culture-01"], new_revision=new_revision)


def _edit_add_actions(ws: Workspace, edition: Edition, tmp: Path, new_revision: bool) -> None:
    extra = ActionData(uuid="9b1d4c1e-6f0a-4b8e-8c3d-2e5f7a9b0c12", title="Contribution", services=("culture-01",))
    ws.add_actions(ED, [extra], new_revision=new_revision)


EDITS = [
    _edit_update_action,
    _edit_create_action,
    _edit_delete_action,
    _edit_restore_action,
    _edit_epci,
    _edit_profile,
    _edit_attachment,
    _edit_remove_attachment,
    _edit_services,
    _edit_add_actions,
]


@pytest.mark.parametrize("edit", EDITS)
def test_editing_a_validated_dossier_is_refused_unless_a_new_revision_is_asked(
    filled: Workspace, edition: Edition, tmp_path: Path, edit: Callable[[Workspace, Edition, Path, bool], None]
) -> None:
    ws = filled
    snap = ws.validate(ED)
    frozen, before, log = snapshot_rows(ws), ws.load(ED), events(ws)
    with pytest.raises(DossierFrozen, match="Modifier \\(nouvelle révision\\)"):
        edit(ws, edition, tmp_path, False)
    assert ws.load(ED) == before and snapshot_rows(ws) == frozen and events(ws) == log  # nothing changed
    edit(ws, edition, tmp_path, True)
    data = ws.load(ED)
    assert (data.state, data.revision) == ("brouillon", 2)
    assert snapshot_rows(ws) == frozen  # byte-identical
    assert ws.snapshots(ED) == [snap]
    assert events(ws)[-1][:3] == ("valide", "brouillon", 2)
    # A second edit stays in revision 2.
    ws.create_action(ED, title="Encore")
    assert ws.load(ED).revision == 2
    assert [e for e in events(ws) if e[1] == "brouillon" and e[0] is not None] == [events(ws)[2]]


def test_import_replaces_a_validated_dossier_by_a_new_revision(filled: Workspace, edition: Edition) -> None:
    """Importing a file is the explicit request: it says so in its report."""
    ws = filled
    ws.validate(ED)
    frozen = snapshot_rows(ws)
    report = ws.import_document(to_document(complete_dossier(edition, 2)))
    assert (report.new_revision, report.revision, report.replaced_actions) == (True, 2, 3)
    assert snapshot_rows(ws) == frozen


def test_reattaching_a_file_to_a_validated_dossier_changes_nothing(filled: Workspace, tmp_path: Path) -> None:
    ws = filled
    f = tmp_path / "photo.txt"
    f.write_text("atelier", encoding="utf-8")
    first = ws.load(ED).actions[0].uuid
    ws.add_attachment(ED, first, f)
    ws.validate(ED)
    before, log = ws.load(ED), events(ws)
    with pytest.raises(DossierFrozen):
        ws.add_attachment(ED, first, f)
    assert ws.load(ED) == before and events(ws) == log


def test_apply_edits_refuses_a_frozen_dossier_whole(filled: Workspace) -> None:
    ws = filled
    ws.validate(ED)
    before = ws.load(ED)
    with pytest.raises(DossierFrozen):
        ws.apply_edits(ED, [ActionUpdate(before.actions[0].uuid, {"title": "Changé"})])
    assert ws.load(ED) == before


def test_editing_a_received_dossier_keeps_the_receipt(filled: Workspace) -> None:
    ws = filled
    snap = ws.validate(ED)
    ws.mark_sent(ED)
    ws.record_receipt(ED, "AR-7", snap.sha256, RECEIVED_AT)
    frozen = snapshot_rows(ws)
    ws.update_action(ED, ws.load(ED).actions[0].uuid, end_date=date(2026, 10, 1), new_revision=True)
    assert (ws.load(ED).state, ws.load(ED).revision) == ("brouillon", 2)
    assert snapshot_rows(ws) == frozen
    assert ws.snapshots(ED)[0].receipt_id == "AR-7"
    assert events(ws)[-1][:3] == ("recu", "brouillon", 2)
