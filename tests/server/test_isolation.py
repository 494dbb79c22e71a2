"""Account B can neither read nor touch anything of account A: every identifier of A answers 404 to B."""

from __future__ import annotations

import hashlib
import os

from tests.server.conftest import Device, tus_create_headers, tus_patch_headers

TUS = {"Tus-Resumable": "1.0.0"}


def test_b_cannot_read_or_touch_as_anything(device: Device, other_device: Device) -> None:
    a, b = device, other_device
    photo = os.urandom(10_000)
    a.upload(photo)
    pending = a.http.post("/api/v1/uploads", headers=tus_create_headers(b"p" * 100)).headers["Location"]
    dossier = a.dossier()
    dossier["actions"][0]["attachments"] = [
        {"sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo), "media_type": "image/jpeg", "name": "a.jpg"}
    ]
    body = a.submission(dossier)
    receipt = a.submit(body)
    assert receipt.status_code == 201, receipt.text
    uuid = body["submission_uuid"]

    answers = {
        "GET submission": b.http.get(f"/api/v1/submissions/{uuid}"),
        "GET submission upper": b.http.get(f"/api/v1/submissions/{uuid.upper()}"),
        "HEAD upload": b.http.head(pending, headers=TUS),
        "PATCH upload": b.http.patch(pending, content=b"p" * 10, headers=tus_patch_headers(0)),
        "POST override": b.http.post(
            pending, content=b"p" * 10, headers={**tus_patch_headers(0), "X-HTTP-Method-Override": "PATCH"}
        ),
        "DELETE upload": b.http.delete(pending, headers=TUS),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert all(
        r.headers["Content-Type"] == "application/problem+json" for name, r in answers.items() if "HEAD" not in name
    )
    assert b.http.get("/api/v1/submissions").json() == {"submissions": []}
    # A's upload is untouched by all that.
    assert a.http.head(pending, headers=TUS).headers["Upload-Offset"] == "0"
    # A's file does not count for B: B must upload it itself.
    theirs = b.dossier()
    theirs["actions"][0]["attachments"] = dossier["actions"][0]["attachments"]
    missing = b.submit(b.submission(theirs))
    assert missing.status_code == 422
    assert missing.json()["missing"] == [hashlib.sha256(photo).hexdigest()]
    # B naming A's submission as the one it replaces learns nothing of A (its own latest is none).
    stale = b.submit(b.submission(b.dossier(), replaces=uuid))
    assert stale.status_code == 409
    assert stale.json()["latest"] is None
    # The same uuid is B's own, separate submission: no clash, no leak.
    mine = b.submit(b.submission(b.dossier(), submission_uuid=uuid))
    assert mine.status_code == 201
    assert mine.json()["collectivity"]["code"] == b.code
    assert a.http.get(f"/api/v1/submissions/{uuid}").content == receipt.content
