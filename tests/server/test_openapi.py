"""The generated OpenAPI: every operation has an example; schemathesis against the live server finds no
500 and no answer outside the schema (status, content type, headers, body)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Trials
from tests.server.conftest import Device, ServerProcess, enrol

# tus chunks are raw bytes: send them as schemathesis sends application/octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _has_example(node: Any, spec: dict[str, Any]) -> bool:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return _has_example(spec["components"]["schemas"][name], spec)
        return bool(node.get("example") or node.get("examples")) or any(_has_example(v, spec) for v in node.values())
    if isinstance(node, list):
        return any(_has_example(v, spec) for v in node)
    return False


def test_every_operation_has_an_example(server: ServerProcess) -> None:
    spec = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    without = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, op in operations.items()
        if method != "options" and not _has_example({k: v for k, v in op.items() if k != "tags"}, spec)
    ]
    assert without == []
    assert "ProblemModel" in spec["components"]["schemas"]


@pytest.fixture(scope="module")
def api_device(server: ServerProcess) -> Iterator[Device]:
    d = enrol(server)
    yield d
    d.http.close()


def _conform(server: ServerProcess, device: Device, examples: int, trials: Trials) -> None:
    """Each operation in turn (schemathesis' lazy pytest loader does not run on pytest 9.2 yet)."""
    schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
    # Signing out would revoke the device every later case uses: tested on its own in test_devices.
    schema = schema.exclude(path="/api/v1/devices/current", method="DELETE")
    headers = {"Authorization": f"Bearer {device.access_token}"}
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            with trials.one("requête générée par schemathesis contre le serveur"):
                case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

        run()
    assert len(labels) >= 12, labels


def test_the_api_conforms_to_its_openapi(server: ServerProcess, api_device: Device, trials: Trials) -> None:
    _conform(server, api_device, 15, trials)


@pytest.mark.slow
def test_the_api_conforms_to_its_openapi_at_length(server: ServerProcess, api_device: Device, trials: Trials) -> None:
    """Ten times the examples per operation (make stress)."""
    _conform(server, api_device, 150, trials)
