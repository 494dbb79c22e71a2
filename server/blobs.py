"""Where attachment files live, keyed by their SHA-256: a folder by default, an S3-compatible bucket in production."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...
    def exists(self, sha256: str) -> bool: ...


class FolderBlobs:
    """``<root>/ab/<sha256>``; written to a temporary file, fsynced, renamed, then the folder fsynced: never half
    a file, and never a file acknowledged then lost in a power cut (the rename lives in the folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            _fsync_dir(path.parent.parent)  # the new ab/ folder's own entry
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)  # the rename is durable too: tus acknowledges the file once this returns

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()


def _fsync_dir(folder: Path) -> None:
    """A new name in ``folder`` survives a power cut only once the folder itself is synced (POSIX)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class S3Blobs:
    """An S3-compatible bucket through boto3, configured by the usual AWS_* variables (AWS_ENDPOINT_URL…)."""

    def __init__(self, bucket: str, prefix: str, client: object | None = None) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        if client is None:
            import boto3
            from botocore.config import Config

            # Since boto3 1.36 every request carries a CRC checksum that stores other than AWS may refuse.
            config = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required")
            client = boto3.client("s3", config=config)
        self.client = client

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}/{sha256}" if self.prefix else sha256

    def put(self, sha256: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=data)  # type: ignore[attr-defined]

    def get(self, sha256: str) -> bytes:
        answer = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))  # type: ignore[attr-defined]
        return bytes(answer["Body"].read())

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))  # type: ignore[attr-defined]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def open_blob_store(setting: str) -> BlobStore:
    """``s3://bucket/prefix`` or a folder path."""
    if setting.startswith("s3://"):
        url = urlparse(setting)
        return S3Blobs(url.netloc, url.path)
    return FolderBlobs(Path(setting))
