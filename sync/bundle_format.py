"""The ``.arobase`` bundle, format 1: a ZIP holding ``envoi.json`` (the frozen submission body), one
``pieces/<sha256>`` per attachment and ``manifeste.json`` (the SHA-256 of every other entry).

One implementation for both sides: the app writes it (``app.bundle.export_bundle``) and checks it before
sending it from another computer; the server's ``/depot`` page checks it again before receiving it. The
reader never extracts to disk and never inflates more than it allows: declared sizes are checked against
the limits before a byte is decompressed, then every entry is read in chunks, counted and hashed while it
streams (a lying size or a ZIP bomb stops at the limit). Every refusal is a French sentence naming the
entry that differs.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sync.dossier_format import snapshot_hash
from sync.protocol import MAX_ATTACHMENT_BYTES

FORMAT = "arobase.bundle.1"
MANIFEST, BODY, PIECES = "manifeste.json", "envoi.json", "pieces/"
SUFFIX = ".arobase"
MAX_BUNDLE_BYTES = 200 * 1024 * 1024  # every entry, uncompressed
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_ENTRIES = 5000
MAX_DIRECTORY_BYTES = 4 * 1024 * 1024  # the ZIP's central directory (about 150 bytes an entry)
CHUNK = 64 * 1024
PIECE_NAME = re.compile(r"^pieces/([0-9a-f]{64})$")
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, UnicodeDecodeError, ValueError, EOFError, zlib.error)


class BundleFormatError(ValueError):
    """The file is not a sound bundle; ``message`` is the French sentence to show, ``too_large`` a size refusal."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message, self.too_large = message, too_large


@dataclass(frozen=True)
class Limits:
    """What one bundle may hold: the receiving side passes its own configured limits."""

    body_bytes: int = MAX_BUNDLE_BYTES
    attachment_bytes: int = MAX_ATTACHMENT_BYTES
    total_bytes: int = MAX_BUNDLE_BYTES


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_bundle(target: Path, body: dict[str, Any], pieces: Mapping[str, Path]) -> Path:
    """Write ``body`` and the attachment files (sha256 → path) as one bundle, atomically (``.part`` then rename)."""
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    files = {BODY: hashlib.sha256(raw).hexdigest()}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(BODY, raw)
        for sha, path in pieces.items():
            z.write(path, PIECES + sha)
            files[PIECES + sha] = sha256_file(path)
        manifest = {"format": FORMAT, "submission_uuid": body["submission_uuid"], "files": files}
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(target)
    return target


def _quoted(name: str) -> str:
    return f"«\u00a0{name}\u00a0»"


def _directory_fits(source: IO[bytes]) -> bool:
    """The end-of-central-directory record announces few entries in a small directory: read before zipfile
    parses the directory (millions of empty entries would take gigabytes of memory); no ZIP64."""
    source.seek(0, 2)
    size = source.tell()
    source.seek(max(0, size - 22 - 65535))
    tail = source.read()
    source.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    count, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    return bool(count <= MAX_ENTRIES and directory_size <= MAX_DIRECTORY_BYTES)


@dataclass
class BundleReader:
    """An open bundle whose manifest, sizes and envoi.json are checked; ``verify`` hashes every attachment,
    ``piece`` reads one (checked again)."""

    zip: zipfile.ZipFile
    label: str
    limits: Limits
    body: dict[str, Any] = field(default_factory=dict)
    pieces: dict[str, int] = field(default_factory=dict)  # sha256 → size
    listed: dict[str, str] = field(default_factory=dict)  # entry name → SHA-256, from the manifest

    def _refused(self, text: str) -> BundleFormatError:
        return BundleFormatError(f"Envoi refusé\u00a0: {text}")

    def _read(self, name: str, *, keep: bool = True) -> bytes:
        """The entry's bytes, counted and hashed as they stream; refused past the declared size."""
        info = self.zip.getinfo(name)
        digest, kept, seen = hashlib.sha256(), bytearray(), 0
        try:
            with self.zip.open(info) as f:
                while chunk := f.read(CHUNK):
                    seen += len(chunk)
                    if seen > info.file_size:
                        raise self._refused(f"{_quoted(name)} est plus gros que ce qu'annonce le fichier (modifié).")
                    digest.update(chunk)
                    if keep:
                        kept += chunk
        except BundleFormatError:
            raise
        except UNREADABLE:
            raise self._refused(f"{_quoted(name)} est endommagé ou a été modifié.") from None
        if seen != info.file_size:
            raise self._refused(f"{_quoted(name)} est incomplet (modifié).")
        if digest.hexdigest() != self.listed[name]:
            raise self._refused(f"{_quoted(name)} ne correspond pas à son empreinte (modifié).")
        return bytes(kept)

    def open(self) -> None:
        infos = self.zip.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise self._refused("une entrée du fichier est en double.")
        by_name = {i.filename: i for i in infos}
        if MANIFEST not in by_name or BODY not in by_name:
            raise BundleFormatError(f"Le fichier {self.label} n'est pas un envoi Arobase (manifeste absent).")
        for info in infos:
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self._refused(f"{_quoted(info.filename)} est chiffré ou compressé d'une façon inconnue.")
        self._check_sizes(infos)
        manifest_info = by_name[MANIFEST]
        if manifest_info.file_size > MAX_MANIFEST_BYTES:
            raise self._too_large(MANIFEST, MAX_MANIFEST_BYTES)
        manifest = json.loads(self.zip.read(manifest_info).decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BundleFormatError(f"Le fichier {self.label} n'est pas un envoi Arobase de ce format.")
        listed = manifest.get("files")
        if not isinstance(listed, dict) or not all(isinstance(v, str) for v in listed.values()):
            raise BundleFormatError(f"Le fichier {self.label} n'est pas un envoi Arobase de ce format.")
        self.listed = listed
        extra = sorted(set(by_name) - set(listed) - {MANIFEST})
        if extra:
            raise self._refused(f"{_quoted(extra[0])} n'est pas dans le manifeste.")
        for name, sha in listed.items():
            if name not in by_name:
                raise self._refused(f"{_quoted(name)} manque dans le fichier.")
            if name != BODY:
                found = PIECE_NAME.match(name)
                if found is None or found.group(1) != sha:
                    raise self._refused(f"{_quoted(name)} ne correspond pas à son empreinte (modifié).")
                self.pieces[sha] = by_name[name].file_size
        self.body = self._body(manifest)

    def _too_large(self, name: str, limit: int) -> BundleFormatError:
        return BundleFormatError(
            f"Envoi refusé\u00a0: {_quoted(name)} est trop volumineux ({limit} octets au plus).", too_large=True
        )

    def _check_sizes(self, infos: list[zipfile.ZipInfo]) -> None:
        """Before a byte is inflated: each declared size against its limit, and the whole."""
        limit = self.limits.total_bytes
        if sum(i.file_size for i in infos) > limit:
            raise BundleFormatError(
                f"Le fichier {self.label} est trop volumineux pour un envoi ({limit} octets au plus).", too_large=True
            )
        for info in infos:
            limit = self.limits.body_bytes if info.filename == BODY else self.limits.attachment_bytes
            if info.file_size > limit:
                raise self._too_large(info.filename, limit)

    def _body(self, manifest: dict[str, Any]) -> dict[str, Any]:
        body = json.loads(self._read(BODY).decode("utf-8"))
        if not isinstance(body, dict) or not isinstance(body.get("dossier"), dict):
            raise self._refused(f"{_quoted(BODY)} ne contient pas un envoi Arobase.")
        if body.get("submission_uuid") != manifest.get("submission_uuid"):
            raise self._refused("le numéro d'envoi diffère entre le manifeste et le dossier.")
        if snapshot_hash(body["dossier"]) != body.get("payload_sha256"):
            raise self._refused("le dossier ne correspond pas à son empreinte (modifié).")
        for action in body["dossier"].get("actions", []):
            for a in action.get("attachments", []) if isinstance(action, dict) else []:
                if not isinstance(a, dict) or self.pieces.get(a.get("sha256", "")) != a.get("size"):
                    name = a.get("name", "?") if isinstance(a, dict) else "?"
                    raise self._refused(f"la pièce jointe {_quoted(str(name))} manque ou diffère.")
        return body

    def verify(self) -> None:
        """Every attachment hashed against the manifest, nothing kept in memory."""
        for sha in self.pieces:
            self._read(PIECES + sha, keep=False)

    def piece(self, sha: str) -> bytes:
        return self._read(PIECES + sha)


@contextmanager
def _unreadable_as(label: str) -> Iterator[None]:
    try:
        yield
    except BundleFormatError:
        raise
    except UNREADABLE:
        raise BundleFormatError(f"Le fichier {label} est illisible ou n'est pas un envoi Arobase.") from None


@contextmanager
def open_bundle(source: Path | IO[bytes], label: str, limits: Limits | None = None) -> Iterator[BundleReader]:
    """The bundle at ``source`` (a path, or a seekable binary file such as an upload), checked; ``label`` names
    it in messages (the file's name)."""
    with _unreadable_as(label):
        stream = source.open("rb") if isinstance(source, Path) else source
    try:
        with _unreadable_as(label):
            archive = zipfile.ZipFile(stream) if _directory_fits(stream) else None
            if archive is None or len(archive.infolist()) > MAX_ENTRIES:
                raise BundleFormatError(f"Le fichier {label} est illisible ou n'est pas un envoi Arobase.")
            reader = BundleReader(archive, label, limits or Limits())
            reader.open()
        with archive:
            yield reader
    finally:
        if isinstance(source, Path):
            stream.close()
