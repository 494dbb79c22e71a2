"""What the window knows of a workspace without loading the store: the summary it shows, the size limit of
an attachment.

Apart from ``app.workspace`` because that module imports SQLAlchemy (0.3 s): the window shows its first
dossier before loading it (``app.first_read``). ``app.workspace`` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.edition import Edition
from app.model import DossierSummary, Profile
from app.mosaic import Coverage

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Status:
    path: Path
    profile: Profile
    edition: Edition
    summary: DossierSummary | None
    coverage: Coverage | None
    blocking: int
    warnings: int
