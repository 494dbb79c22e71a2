"""Content-addressed folder of attachments beside the store: ``<sha256[:2]>/<sha256>``.

A file is copied to a temporary name, flushed to disk, then renamed, so a crash never leaves a
partial file under a valid name; the same content is stored once however often it is attached.
Nothing is ever deleted from the folder (removing an attachment only removes its row): the backups of
the store (``localdb.backups``) refer to these files, and a restored backup finds its attachments here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def files_folder(store_path: Path) -> Path:
    """The attachments' folder of a store file: ``commune.sqlite`` keeps them in ``commune-fichiers``."""
    return store_path.with_name(store_path.stem + "-fichiers")


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, source: Path) -> tuple[str, int]:
        """Copy ``source`` in; return its SHA-256 and size."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".entrant-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_of(sha)
            if final.is_file():
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
            return sha, size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def export(self, sha256: str, target: Path) -> None:
        shutil.copyfile(self.path_of(sha256), target)
