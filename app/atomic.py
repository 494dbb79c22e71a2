"""Writing a file whole: a crash, a full disk or a killed process leaves the old file or the new one, never half.

The bytes go to a temporary file beside the target (same folder, so the rename stays on one disk), are
flushed to the disk, then renamed over the target; on any failure the temporary file is removed and the
error goes to the caller, who says it in French.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, prefix: str | None = None, suffix: str = "") -> None:
    """Replace ``path`` by ``data`` in one step (``prefix``: the hidden temporary name's start)."""
    path = Path(path)
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
