"""Constants of the sync protocol v1 that the desktop client and the association's server share."""

from __future__ import annotations

PROTOCOL_VERSION = "1"
API_PREFIX = "/api/v1"

# Preflight: HEAD /api/v1/submissions answers 204 with these, so a client tells the server apart from a
# captive portal (200 with HTML) or a wrong address.
HEADER_PROTOCOL = "Arobase-Protocol"
HEADER_MAX_BODY = "Arobase-Max-Body"
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"

# tus 1.0 resumable uploads of attachments.
TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "checksum", "termination", "expiration")
TUS_CHECKSUM_ALGORITHM = "sha256"
TUS_CONTENT_TYPE = "application/offset+octet-stream"
TUS_CHECKSUM_MISMATCH = 460
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

PROBLEM_CONTENT_TYPE = "application/problem+json"
SUBMISSION_FORMAT_VERSION = 1
