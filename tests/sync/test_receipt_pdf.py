"""« L'accusé de réception » on paper: a real receipt from the real server process, printed on one page and
on the last page of the received dossier, read back with pypdf; its signature checked when printing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import account as accounts
from app.formats import short_fingerprint, thousands
from app.paths import account_file
from app.pdf import (
    PROGRESS_TOTAL,
    PdfCancelled,
    build_pdf,
    build_receipt_pdf,
    receipt_filename,
    receipt_source,
    source_from_workspace,
)
from app.pdf.formats import local_datetime, long_date
from app.receipts import NoReceipt
from app.sending import send_pending
from localdb import models as m
from tests.conftest import run_cli
from tests.server.conftest import ServerProcess
from tests.sync.conftest import ATTACHMENTS, FaultProxy, Town, make_town, validated_workspace
from tests.test_pdf import flat, page_texts

WARNING = flat("ATTENTION\u00a0: SIGNATURE NON VÉRIFIÉE")  # the no-break space reads back as a space


def sent(town: Town) -> dict:  # type: ignore[type-arg]
    report = send_pending(town.ws, town.account, town.settings, town.session(), town.secrets)
    assert report.all_sent, report
    source = receipt_source(town.ws, "2019", keys=town.account.public_keys())
    return dict(source.receipt)


def receipt_text(town: Town, path: Path, **kwargs) -> str:  # type: ignore[no-untyped-def]
    source = receipt_source(town.ws, "2019", **{"keys": town.account.public_keys(), **kwargs})
    report = build_receipt_pdf(source, path)
    reader = PdfReader(path)
    assert report.pages == len(reader.pages) == 1
    return flat(reader.pages[0].extract_text())


def paris(stamp: str, tz=None) -> str:  # type: ignore[no-untyped-def]
    local = local_datetime(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"), tz)
    return f"{long_date(local.date())} à {local:%H:%M}"


def test_the_receipt_page_prints_every_field_verified_in_local_time(town: Town, tmp_path: Path) -> None:
    receipt = sent(town)
    text = receipt_text(town, tmp_path / "accuse.pdf")
    number, sha = receipt["receipt_number"], receipt["payload_sha256"]
    size = sum(s for _n, s in ATTACHMENTS)
    for expected in (
        "Accusé de réception", f"N° {number}", "Commune d'essai",
        f"code INSEE {town.code}", "Édition 2019", "Révision 1", short_fingerprint(sha), sha,
        f"3 pièces jointes, {round(size / 1024)} ko ({thousands(size)} octets)", receipt["submission_uuid"],
        "✓ Signature vérifiée", "atteste avoir reçu", f"enregistrée à la connexion ({receipt['key_id']})",
        f"Reçu le {paris(receipt['received_at'])} (heure de Paris)", f"Accusé {number} · révision 1",
    ):  # fmt: skip
        assert flat(expected) in text, expected
    assert WARNING not in text and "UTC" not in text
    utc = receipt_text(town, tmp_path / "utc.pdf", tz=UTC)  # the time zone is passed in, not global
    assert f"Reçu le {paris(receipt['received_at'], UTC)} (heure UTC)" in utc
    assert paris(receipt["received_at"], UTC) != paris(receipt["received_at"])
    reader = PdfReader(tmp_path / "accuse.pdf")
    assert number in (reader.metadata.title or "") and sha in (reader.metadata.subject or "")
    assert receipt_filename(receipt_source(town.ws, "2019", keys=None)) == f"accuse-{number}.pdf"


def test_to_a_stream_with_progress_and_cancel_leaves_no_file(town: Town, tmp_path: Path) -> None:
    sent(town)
    source = receipt_source(town.ws, "2019", keys=town.account.public_keys())
    seen: list[int] = []
    buffer = io.BytesIO()
    report = build_receipt_pdf(source, buffer, progress=lambda done, _total: seen.append(done))
    assert buffer.getvalue().startswith(b"%PDF") and report.pages == 1 and seen[0] == 0 and seen[-1] == PROGRESS_TOTAL
    with pytest.raises(PdfCancelled):
        build_receipt_pdf(source, tmp_path / "annule.pdf", cancelled=lambda: True)
    assert list(tmp_path.glob("annule*")) == [] and list(tmp_path.glob(".annule*")) == []


def test_the_received_dossier_carries_the_receipt_in_its_footer_and_on_its_last_page(
    town: Town, tmp_path: Path
) -> None:
    receipt = sent(town)
    number = receipt["receipt_number"]
    source = source_from_workspace(town.ws, "2019", keys=town.account.public_keys())
    report = build_pdf(source, tmp_path / "dossier.pdf")
    reader = PdfReader(tmp_path / "dossier.pdf")
    texts = [flat(t) for t in page_texts(reader)]
    for text in texts:
        assert f"empreinte SHA-256 {receipt['payload_sha256'][:12]} · accusé {number}" in text
    last = texts[-1]
    assert "Accusé de réception" in last and f"N° {number}" in last and "Signature vérifiée" in last
    assert short_fingerprint(receipt["payload_sha256"]) in last
    assert not any("Signature vérifiée" in t for t in texts[:-1])
    assert report.outline[-1] == (0, "Accusé de réception")


def _tamper(town: Town, change) -> None:  # type: ignore[no-untyped-def]
    """Change the stored receipt behind the application's back (a file edited by hand)."""
    with town.ws.store.write() as s:
        row = s.query(m.OutboxItem).one()
        receipt = json.loads(row.receipt)
        change(receipt)
        row.receipt = json.dumps(receipt)


def test_a_new_revision_keeps_the_receipt_of_the_received_one(town: Town, tmp_path: Path) -> None:
    receipt = sent(town)
    town.ws.reopen("2019")
    text = receipt_text(town, tmp_path / "rev1.pdf")
    assert receipt["receipt_number"] in text and "Révision 1" in text and "Signature vérifiée" in text
    build_pdf(source_from_workspace(town.ws, "2019", keys=town.account.public_keys()), tmp_path / "brouillon.pdf")
    assert "Accusé de réception" not in flat(PdfReader(tmp_path / "brouillon.pdf").pages[-1].extract_text())


def test_a_changed_receipt_prints_the_warning(town: Town, tmp_path: Path) -> None:
    sent(town)
    _tamper(town, lambda r: r["collectivity"].update(name="Autre commune"))
    text = receipt_text(town, tmp_path / "change.pdf")
    assert WARNING in text and "Signature invalide" in text and "Signature vérifiée" not in text
    assert "atteste" not in text and "n'a pas pu être vérifiée" in text
    assert "Autre commune" in text  # printed as stored, but marked
    source = source_from_workspace(town.ws, "2019", keys=town.account.public_keys())
    build_pdf(source, tmp_path / "dossier.pdf")
    last = flat(PdfReader(tmp_path / "dossier.pdf").pages[-1].extract_text())
    assert WARNING in last and "Signature invalide" in last


def test_an_unknown_key_or_no_key_prints_the_warning(town: Town, tmp_path: Path) -> None:
    receipt = sent(town)
    other = {"0123456789abcdef": bytes(32)}
    text = receipt_text(town, tmp_path / "autre.pdf", keys=other)
    assert WARNING in text and f"la clé qui a signé ({receipt['key_id']}) n'est pas celle" in text
    text = receipt_text(town, tmp_path / "aucune.pdf", keys=None)
    assert WARNING in text and "pas connecté au serveur" in text


def test_text_from_the_server_is_data_never_markup(
    server: ServerProcess, proxy: FaultProxy, tmp_path: Path, memory_keyring: None
) -> None:
    name = "<b>Saint-Éloi</b> & <font size=40>Co</font> 👍"
    town = make_town(server, tmp_path, proxy, name=name)
    try:
        sent(town)
        text = receipt_text(town, tmp_path / "hostile.pdf")
    finally:
        town.ws.close()
    assert "<b>Saint-Éloi</b> & <font size=40>Co</font> [U+1F44D]" in text
    assert "U+1F44D THUMBS UP SIGN" in text  # the note listing the replaced character


def test_no_receipt_yet_says_what_to_do(tmp_path: Path) -> None:
    ws = validated_workspace(tmp_path / "commune.sqlite", "29999", "Commune d'essai", tmp_path)
    try:
        with pytest.raises(NoReceipt, match="arobase send"):
            receipt_source(ws, "2019", keys=None)
        ws.reopen("2019")  # a draft again: validate it first
        with pytest.raises(NoReceipt, match="validez le dossier"):
            receipt_source(ws, "2019", keys=None)
        ws.validate("2019")
    finally:
        ws.close()
    done = run_cli("--db", str(tmp_path / "commune.sqlite"), "receipt", "--pdf", str(tmp_path / "a.pdf"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("arobase\u00a0: Pas encore d'accusé de réception pour l'édition 2019")
    assert "arobase send" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "a.pdf").exists()
    done = run_cli("--db", str(tmp_path / "vide.sqlite"), "receipt", "--pdf", str(tmp_path / "a.pdf"))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    done = run_cli("--db", str(tmp_path / "commune.sqlite"), "receipt", "--pdf", str(tmp_path / "x" / "a.pdf"))
    assert done.returncode == 2 and "n'existe pas" in done.stderr


def test_cli_receipt_pdf(town: Town, tmp_path: Path) -> None:
    receipt = sent(town)
    db, out = str(town.ws.store.path), tmp_path / "accuse.pdf"
    done = run_cli("--db", db, "receipt", "--pdf", str(out))  # not signed in on this computer: no key
    assert done.returncode == 1 and "Signature non vérifiée" in done.stderr, done.stderr
    assert WARNING in flat(PdfReader(out).pages[0].extract_text())
    accounts.save(account_file(), town.account)
    done = run_cli("--db", db, "receipt", "--pdf", str(out), "--edition", "2019")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Accusé de réception {receipt['receipt_number']} écrit dans")
    text = flat(PdfReader(out).pages[0].extract_text())
    assert "Signature vérifiée" in text and receipt["receipt_number"] in text
    dossier = tmp_path / "dossier.pdf"
    done = run_cli("--db", db, "pdf", "--out", str(dossier))
    assert done.returncode == 0, done.stderr
    assert "Signature vérifiée" in flat(PdfReader(dossier).pages[-1].extract_text())
