"""The API's pydantic models agree with the wire schemas in sync/schemas, which the desktop client uses."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel
from referencing import Registry, Resource

from server.api.models import Receipt, SubmissionRequest
from sync import receipt as wire_receipt
from sync.dossier_format import SCHEMA_PATH as DOSSIER_SCHEMA
from sync.dossier_format import snapshot_hash
from tests.conftest import ROOT

SCHEMAS = ROOT / "sync" / "schemas"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("model", "name"), [(SubmissionRequest, "submission-1.json"), (Receipt, "receipt-1.json")])
def test_models_have_the_fields_of_the_schema(model: type[BaseModel], name: str) -> None:
    schema = _schema(name)
    generated = model.model_json_schema()
    assert set(generated["properties"]) == set(schema["properties"])
    assert set(generated.get("required", [])) == set(schema["required"])
    assert schema["additionalProperties"] is False and model.model_config.get("extra") == "forbid"


def test_a_submission_body_validates_against_the_schema_with_its_dossier() -> None:
    dossier = json.loads((ROOT / "resources" / "exemples" / "dossier-exemple-2019.json").read_text(encoding="utf-8"))
    body = {
        "submission_uuid": "0b6f3c2e-6d1a-4f57-9a43-2f8e3c1d5a90", "edition": "2019", "revision": 1,
        "replaces": None, "payload_sha256": snapshot_hash(dossier), "dossier": dossier,
    }  # fmt: skip
    dossier_schema = json.loads(DOSSIER_SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resource(dossier_schema["$id"], Resource.from_contents(dossier_schema))
    validator = jsonschema.Draft202012Validator(_schema("submission-1.json"), registry=registry)
    assert list(validator.iter_errors(body)) == []
    SubmissionRequest(**body)
    body["dossier"]["actions"][0]["level"] = 12
    assert list(validator.iter_errors(body))


def test_signed_bytes_leave_out_only_the_signature() -> None:
    receipt = {"b": 1, "a": "é", "signature": "x"}
    assert wire_receipt.signed_bytes(receipt) == b'arobase-receipt-v1\n{"a":"\xc3\xa9","b":1}'
    assert wire_receipt.receipt_number("2019", 123) == "VI-2019-000123"
    assert not wire_receipt.verify({"not": "a receipt"}, {})
