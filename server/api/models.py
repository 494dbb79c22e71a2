"""Pydantic models of the API's JSON bodies; tests check them against the JSON Schemas in ``sync/schemas``."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
EDITION_PATTERN = r"^[0-9]{4}[a-z0-9-]{0,20}$"
EXAMPLE_UUID = "0b6f3c2e-6d1a-4f57-9a43-2f8e3c1d5a90"
EXAMPLE_SHA = "80962839f2151e08ea7446931a59132ccd6de39bdfd3a3ee0f80e04d945356e7"


def _example(**fields: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [fields]})


class CollectivityOut(BaseModel):
    model_config = _example(code="35248", name="Saint-Aubin-des-Landes", kind="commune")
    code: str
    name: str
    kind: str


class DeviceCreate(BaseModel):
    model_config = _example(activation_code="K7F2-9QXM-4TRD-8BHN-2WCA", device_name="PC du secrétariat")
    activation_code: str = Field(max_length=100)
    device_name: str = Field(min_length=1, max_length=200)


class DeviceTokens(BaseModel):
    model_config = _example(
        device_id=EXAMPLE_UUID, refresh_token="r" * 43, access_token="a" * 43, expires_in=3600,
        collectivity={"code": "35248", "name": "Saint-Aubin-des-Landes", "kind": "commune"},
    )  # fmt: skip
    device_id: str
    refresh_token: str
    access_token: str
    expires_in: int
    collectivity: CollectivityOut


class TokenRequest(BaseModel):
    model_config = _example(refresh_token="r" * 43)
    refresh_token: str = Field(max_length=200)


class TokenPair(BaseModel):
    model_config = _example(refresh_token="r" * 43, access_token="a" * 43, expires_in=3600)
    refresh_token: str
    access_token: str
    expires_in: int


class EditionSummary(BaseModel):
    model_config = _example(id="2019", title="Label 2019", sha256=EXAMPLE_SHA, opens=None, closes="2019-12-31")
    id: str
    title: str
    sha256: str
    opens: date | None
    closes: date | None


class MembershipOut(BaseModel):
    model_config = _example(year=2026, member=True)
    year: int
    member: bool


class AccountOut(BaseModel):
    model_config = _example(
        collectivity={"code": "35248", "name": "Saint-Aubin-des-Landes", "kind": "commune"},
        membership={"year": 2026, "member": True},
        open_editions=[{"id": "2019", "title": "Label 2019", "sha256": EXAMPLE_SHA, "opens": None, "closes": None}],
    )  # fmt: skip
    collectivity: CollectivityOut
    membership: MembershipOut
    open_editions: list[EditionSummary]


class SubmissionRequest(BaseModel):
    """sync/schemas/submission-1.json; ``dossier`` is checked against dossier-1.json by sync.dossier_format."""

    model_config = _example(
        submission_uuid=EXAMPLE_UUID, edition="2019", revision=1, replaces=None, payload_sha256=EXAMPLE_SHA,
        dossier={"format": "arobase.dossier", "version": 1, "edition": "2019", "revision": 1,
                 "collectivity": {}, "epci_answers": [], "actions": []},
    )  # fmt: skip
    submission_uuid: str = Field(pattern=UUID_PATTERN)
    edition: str = Field(pattern=EDITION_PATTERN)
    revision: int = Field(ge=1)
    replaces: str | None = Field(pattern=UUID_PATTERN)
    payload_sha256: str = Field(pattern=SHA256_PATTERN)
    dossier: dict[str, Any]


class AttachmentsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int
    bytes: int


class ReceiptCollectivity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str


class Receipt(BaseModel):
    """sync/schemas/receipt-1.json: verify it with sync.receipt.verify and the keys of GET /api/v1/keys."""

    model_config = _example(
        format="arobase.receipt.1", receipt_number="VI-2019-000123", submission_uuid=EXAMPLE_UUID,
        collectivity={"code": "35248", "name": "Saint-Aubin-des-Landes"}, edition="2019", revision=1,
        payload_sha256=EXAMPLE_SHA, attachments={"count": 2, "bytes": 183204}, received_at="2026-12-01T14:05:09Z",
        key_id="3f1c0a9b7d2e4c55", signature="base64…",
    )  # fmt: skip
    format: str
    receipt_number: str
    submission_uuid: str
    collectivity: ReceiptCollectivity
    edition: str
    revision: int
    payload_sha256: str
    attachments: AttachmentsOut
    received_at: str
    key_id: str
    signature: str


class SubmissionList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    submissions: list[Receipt]


class PublicKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key_id: str
    algorithm: str
    public_key: str = Field(description="clé publique brute de 32 octets, en base64 standard")


class KeysOut(BaseModel):
    model_config = _example(keys=[{"key_id": "3f1c0a9b7d2e4c55", "algorithm": "Ed25519", "public_key": "base64…"}])
    keys: list[PublicKey]
