"""Typed sync errors, each with a French sentence that says what to do.

``Retryable`` faults (timeouts, resets, 5xx, 429, a submission still being processed) are retried by
the caller with backoff under the same Idempotency-Key; ``NeedsAttention`` faults (403, 413, 422, a 409
that is not a retry-later, a refused certificate, a server that is not Arobase's) are not: a person
must act. ``AuthRequired`` means the device must be signed in again.
"""

from __future__ import annotations

import json
from typing import Any


class SyncError(Exception):
    """Base class; ``message`` is the French sentence shown to the user."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, problem: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.problem = problem or {}


class Retryable(SyncError):
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class NeedsAttention(SyncError):
    """A person must act (fix the dossier, the address, the certificate…); never retried automatically."""


class AuthRequired(NeedsAttention):
    """The device is not (or no longer) signed in: « Se connecter » again."""


class NotArobaseServer(NeedsAttention):
    """Captive portal, wrong address or another protocol version (the preflight tells them apart)."""


class BadProxy(NeedsAttention):
    """The proxy address typed in the network settings cannot be one (or carries a password)."""


class TlsRefused(NeedsAttention):
    """The server's certificate could not be verified."""


class Cancelled(SyncError):
    """The user pressed « Annuler »; what arrived stays on the server, the rest resumes next time."""

    def __init__(self) -> None:
        super().__init__("Envoi interrompu à votre demande\u00a0: il reprendra là où il s'est arrêté.")


PROXY_UNREACHABLE = (
    "Le proxy ne répond pas ou refuse la connexion\u00a0: vérifiez son adresse (Fichier › Réglages réseau… "
    "dans la fenêtre, --proxy en ligne de commande) ou laissez Arobase suivre les réglages du système. "
    "L'envoi reprendra là où il s'est arrêté."
)
UNREACHABLE = (
    "Le serveur de l'association ne répond pas (connexion coupée ou trop lente)\u00a0: "
    "l'envoi reprendra là où il s'est arrêté dès que la connexion le permettra."
)

_ATTENTION = {
    403: "Le serveur refuse cet envoi\u00a0: {detail}",
    409: "Le serveur signale un conflit\u00a0: {detail}",
    413: "Envoi trop volumineux pour le serveur\u00a0: {detail} Retirez ou réduisez une pièce jointe, "
    "puis validez une nouvelle révision.",
    422: "Le serveur a refusé le dossier\u00a0: {detail}",
}


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def problem_of(status: int, body: bytes, content_type: str) -> dict[str, Any]:
    """The server's RFC 9457 problem, or {} when the body is not one (a proxy's page, garbage)."""
    if "json" not in content_type.lower():
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("detail"), str) else {}


def error_for(status: int, headers: Any, body: bytes) -> SyncError:
    """The typed error of an unexpected answer; the server's French ``detail`` is kept when it gave one."""
    problem = problem_of(status, body, headers.get("Content-Type", ""))
    detail = str(problem.get("detail", "")).strip()
    retry_after = _retry_after(headers.get("Retry-After"))
    if status == 401:
        return AuthRequired(
            "Cet appareil n'est plus reconnu par le serveur\u00a0: reconnectez-vous avec un nouveau code d'activation.",
            status=status, problem=problem,
        )  # fmt: skip
    if status == 429:
        return Retryable("Le serveur est très sollicité\u00a0: l'envoi sera retenté dans un instant.",
                         retry_after=retry_after, status=status, problem=problem)  # fmt: skip
    if status == 409 and retry_after is not None:  # the same submission is being processed right now
        return Retryable(detail or UNREACHABLE, retry_after=retry_after, status=status, problem=problem)
    if status >= 500 or status == 408:
        return Retryable(
            f"Le serveur de l'association a un problème passager (erreur {status})\u00a0: "
            "l'envoi sera retenté automatiquement.",
            retry_after=retry_after, status=status, problem=problem,
        )  # fmt: skip
    template = _ATTENTION.get(status)
    if template is not None:
        return NeedsAttention(template.format(detail=detail or f"erreur {status}."), status=status, problem=problem)
    said = f"\u00a0: {detail}" if detail else "."
    return NeedsAttention(
        f"Réponse inattendue du serveur (erreur {status}){said} "
        "Vérifiez l'adresse du serveur ou contactez l'association.",
        status=status, problem=problem,
    )  # fmt: skip
