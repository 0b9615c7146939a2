"""UK Open Banking account-access consents: a Sandbank consent plus the OB permissions.

An OB consent IS a Sandbank consent (the same row: connected apps, access log, webhooks,
revocation); its ``Data.Permissions`` map onto Sandbank scopes through :data:`PERMISSIONS`,
and are kept as sent in a row of their own (``ukob_consents``) because the scopes are
coarser. A consent made without permissions (through ``{iss}/consents`` or
``/authorize``) reads through the dialect with the permissions its scopes imply.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from sandbox.errors import BadRequest
from sandbox.models import Bank, Consent, UkobConsent
from sandbox.services import consents

#: Every OB permission the sandbox serves: the Sandbank scope it needs, and whether a
#: consent holding that scope but no OB permissions (a v1 consent) has it. The one table
#: mapping permissions onto scopes and back.
PERMISSIONS: dict[str, tuple[str, bool]] = {
    "ReadAccountsBasic": ("accounts", False),
    "ReadAccountsDetail": ("accounts", True),
    "ReadBalances": ("balances", True),
    "ReadTransactionsBasic": ("transactions", False),
    "ReadTransactionsDetail": ("transactions", True),
    "ReadTransactionsCredits": ("transactions", True),
    "ReadTransactionsDebits": ("transactions", True),
    "ReadParty": ("identity", True),
    "ReadPartyPSU": ("identity", True),
}
#: Where the permissions are in the request body, for errors.
PERMISSIONS_PATH = "Data.Permissions"


def scope_for(permissions: list[str]) -> str:
    """The Sandbank scope string the permissions need, in the order of :data:`PERMISSIONS`;
    ``BadRequest`` naming :data:`PERMISSIONS_PATH` for a permission the sandbox does not
    serve."""
    unsupported = [name for name in permissions if name not in PERMISSIONS]
    if unsupported:
        raise BadRequest(f"This sandbox does not serve {', '.join(sorted(set(unsupported)))}; "
                         f"it serves {', '.join(PERMISSIONS)}.", field=PERMISSIONS_PATH)
    return " ".join(dict.fromkeys(PERMISSIONS[name][0] for name in PERMISSIONS
                                  if name in permissions))


def create(session: Session, bank: Bank, client_id: str, permissions: list[str], *,
           now: datetime, expires_at: datetime | None, transaction_from: date | None,
           transaction_to: date | None) -> Consent:
    """Record an account-access consent awaiting authorization and its permissions (without
    repeats, in the order sent). The caller commits."""
    kept = list(dict.fromkeys(permissions))
    consent = consents.create_consent(
        session, bank, client_id, scope_for(kept), now=now, expires_at=expires_at,
        transaction_from=transaction_from, transaction_to=transaction_to)
    session.add(UkobConsent(consent_id=consent.id, permissions=kept))
    return consent


def sent_permissions(session: Session, consent_id: str) -> list[str] | None:
    """The permissions an OB consent was created with, or None for any other consent."""
    row = session.get(UkobConsent, consent_id)
    return None if row is None else list(row.permissions)


def granted(sent: list[str] | None, scopes: frozenset[str]) -> frozenset[str]:
    """The permissions a consent holds now: those sent (or, for a consent made without
    permissions, those its scopes imply) whose scope is still granted."""
    if sent is None:
        return frozenset(name for name, (scope, implied) in PERMISSIONS.items()
                         if implied and scope in scopes)
    return frozenset(name for name in sent if PERMISSIONS[name][0] in scopes)
