"""The dossier interchange format, version 1: a file for people and the sync payload for the server.

Documented in ``docs/format-dossier.md``; its JSON Schema is ``sync/schemas/dossier-1.json``. The
canonical form (sorted keys, no spaces, UTF-8, no ASCII escaping) is what a snapshot's SHA-256 is
computed over, so the app and the server agree on the hash byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = "arobase.dossier"
VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schemas") / "dossier-1.json"
# Keys that describe one copy of the file, not the dossier: left out of the snapshot hash.
VOLATILE_KEYS = ("exported_at", "generator", "state")


class FormatError(ValueError):
    """The document does not follow the format; the message names the faulty field, in French."""


def canonical_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot_body(document: dict[str, Any]) -> dict[str, Any]:
    """The part of a document a snapshot freezes."""
    return {k: v for k, v in document.items() if k not in VOLATILE_KEYS}


def snapshot_hash(document: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(snapshot_body(document)))


@lru_cache(maxsize=1)
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _where(parts: Any) -> str:
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text or "(racine)"


def validate(document: Any) -> None:
    """Raise FormatError on the first structural fault (missing, extra or mistyped field)."""
    if not isinstance(document, dict):
        raise FormatError("le fichier ne contient pas un dossier Arobase (objet JSON attendu)")
    if document.get("format") != FORMAT:
        raise FormatError("le fichier n'est pas un dossier Arobase (champ « format » absent ou différent)")
    if document.get("version") != VERSION:
        raise FormatError(
            f"version {document.get('version')!r} du format de dossier non prise en charge "
            f"(cette version d'Arobase lit la version {VERSION})"
        )
    errors = sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        raise FormatError(f"champ « {_where(err.absolute_path)} » : {_reason(err)}")


def _reason(err: Any) -> str:
    v = err.validator
    if v == "required":
        missing = [m for m in err.validator_value if isinstance(err.instance, dict) and m not in err.instance]
        return f"le champ obligatoire « {missing[0] if missing else '?'} » manque"
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return f"champ inconnu « {', '.join(extra)} »"
    if v == "maxLength":
        return f"texte trop long ({len(err.instance)} caractères, {err.validator_value} au plus)"
    if v == "type":
        return f"type attendu {err.validator_value}"
    if v in ("pattern", "enum", "const", "oneOf"):
        return f"valeur {str(err.instance)[:60]!r} non reconnue"
    if v == "uniqueItems":
        return "un élément est répété"
    if v == "minimum":
        return f"la valeur doit être au moins {err.validator_value}"
    if v == "maximum":
        return f"la valeur doit être au plus {err.validator_value}"
    return err.message
