"""What the association does to accounts (CLI and staff pages): collectivities, codes, staff, revocation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import auth, security
from server.models import ActivationCode, Collectivity, Device, Membership, Staff

INSEE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
SIREN = re.compile(r"^[0-9]{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """Bad input from the association's staff; the message is French."""


def kind_of_code(code: str) -> str:
    if INSEE.match(code):
        return "commune"
    if SIREN.match(code):
        return "epci"
    raise AccountError(f"« {code} » n'est ni un code INSEE de commune (5 caractères) ni un SIREN (9 chiffres)")


def add_collectivity(s: Session, code: str, name: str, email: str, now: datetime, ttl: int) -> tuple[Collectivity, str]:
    """Create the collectivity if needed and a new activation code for it; returns (row, code)."""
    code = code.strip().upper()
    kind = kind_of_code(code)
    if not name.strip():
        raise AccountError("le nom de la collectivité est vide")
    if not EMAIL.match(email.strip()):
        raise AccountError(f"adresse électronique invalide : « {email} »")
    row = s.execute(select(Collectivity).where(Collectivity.code == code)).scalar_one_or_none()
    if row is None:
        row = Collectivity(code=code, name=name.strip(), kind=kind, email=email.strip(), created_at=now)
        s.add(row)
        s.flush()
    return row, new_activation_code(s, row, now, ttl)


def new_activation_code(s: Session, coll: Collectivity, now: datetime, ttl: int) -> str:
    while True:
        code, lookup, secret = security.new_activation_code()
        if s.execute(select(ActivationCode.id).where(ActivationCode.lookup == lookup)).first() is None:
            break
    s.add(ActivationCode(
        collectivity_id=coll.id, lookup=lookup, secret_hash=security.argon2_hash(secret),
        created_at=now, expires_at=now + timedelta(seconds=ttl),
    ))  # fmt: skip
    return code


def add_staff(s: Session, email: str, now: datetime) -> str:
    """Create (or reset) a staff account; returns its one-time password, to be changed at first login."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"adresse électronique invalide : « {email} »")
    password = security.new_password()
    row = s.execute(select(Staff).where(Staff.email == email)).scalar_one_or_none()
    if row is None:
        row = Staff(email=email, created_at=now, password_hash="")
        s.add(row)
    row.password_hash, row.must_change_password = security.argon2_hash(password), True
    return password


def revoke_device(s: Session, device_id: str, now: datetime) -> Device:
    device = s.get(Device, device_id.strip())
    if device is None:
        raise AccountError(f"aucun appareil « {device_id} »")
    auth.revoke(s, device, now, "révoqué par l'association")
    return device


def set_membership(s: Session, collectivity_id: int, year: int, member: bool, by: str, now: datetime) -> None:
    row = s.get(Membership, (collectivity_id, year))
    if member and row is None:
        s.add(Membership(collectivity_id=collectivity_id, year=year, set_at=now, set_by=by))
    elif not member and row is not None:
        s.delete(row)
