"""What every request handler needs, built once by the app factory and passed in (no module globals)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request

from server.blobs import BlobStore
from server.db import Database
from server.receipts import Signer
from server.settings import Settings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    signer: Signer
    clock: Clock = utc_now
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("arobase.server"))

    def now(self) -> datetime:
        return self.clock()

    def log_internal(self, request: Request, exc: BaseException) -> None:
        """Method and path only: headers (tokens) and bodies never reach the log."""
        self.log.error("erreur interne sur %s %s", request.method, request.url.path, exc_info=exc)


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "inconnue"
