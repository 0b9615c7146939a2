"""Consents (DESIGN.md §3): what a customer lets a client read, for how long.

Lifecycle: ``awaiting_authorization`` → ``authorized`` | ``rejected``; ``authorized`` →
``revoked`` | ``expired``. Revoking a consent makes every token issued under it inactive.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import Bank, Consent, Customer
from sandbox.services import webhooks
from sandbox.vocabulary import REVOKERS

AWAITING = "awaiting_authorization"


def new_consent_id() -> str:
    """An opaque, unguessable consent id."""
    return "cns_" + secrets.token_hex(12)


def max_expiry(bank: Bank, now: datetime) -> datetime:
    """The latest expiry the bank allows for a consent given at ``now``."""
    return now + timedelta(days=int(bank.settings["consent_max_days"]))


def create_consent(session: Session, bank: Bank, client_id: str, scope: str, *,
                   now: datetime, purpose: str | None = None, expires_at: datetime | None = None,
                   transaction_from: date | None = None,
                   transaction_to: date | None = None) -> Consent:
    """Record a consent awaiting the customer's authorization; ``expires_at`` is capped by
    the bank's maximum. The caller commits."""
    latest = max_expiry(bank, now)
    consent = Consent(
        id=new_consent_id(), bank_id=bank.id, client_id=client_id,
        scope=" ".join(dict.fromkeys(scope.split())), purpose=purpose, status=AWAITING,
        created_at=now, expires_at=min(expires_at or latest, latest), account_ids=[],
        transaction_from=transaction_from, transaction_to=transaction_to,
    )
    session.add(consent)
    return consent


def find_consent(session: Session, bank_id: str, consent_id: str) -> Consent | None:
    """The consent ``consent_id`` of the bank, or None."""
    return session.scalar(
        sa.select(Consent).where(Consent.bank_id == bank_id, Consent.id == consent_id))


def awaiting_consent(session: Session, bank_id: str, client_id: str, consent_id: str, *,
                     now: datetime) -> Consent | None:
    """The client's consent ``consent_id`` if it can still be authorized, else None."""
    consent = find_consent(session, bank_id, consent_id)
    if (consent is None or consent.client_id != client_id or consent.status != AWAITING
            or consent.expires_at <= now):
        return None
    return consent


def active_consent(session: Session, bank_id: str, client_id: str, consent_id: str, *,
                   now: datetime) -> Consent | None:
    """The client's consent ``consent_id`` if it is authorized and unexpired, else None."""
    consent = find_consent(session, bank_id, consent_id)
    if consent is None or consent.client_id != client_id or not consent.is_active(now):
        return None
    return consent


def authorize(session: Session, consent: Consent | None, bank: Bank, client_id: str,
              customer: Customer, scope: str, account_ids: list[str], *,
              now: datetime, purpose: str | None = None) -> Consent:
    """Authorize ``consent`` (or a new one for ``scope``, stating ``purpose``) for
    ``customer`` and the accounts they selected. The caller commits."""
    if consent is None:
        consent = create_consent(session, bank, client_id, scope, now=now, purpose=purpose)
    consent.scope = " ".join(dict.fromkeys(scope.split()))
    consent.customer_id = customer.id
    consent.account_ids = list(account_ids)
    consent.status = "authorized"
    consent.authorized_at = now
    return consent


def reject(consent: Consent, customer: Customer | None) -> None:
    """Record that the customer declined the consent (None: cancelled before signing in).
    The caller commits."""
    if customer is not None:
        consent.customer_id = customer.id
    consent.status = "rejected"


def revoke(session: Session, consent: Consent, *, now: datetime, by: str) -> None:
    """Revoke the consent on behalf of ``by`` (``REVOKERS``: the customer, the client, the
    operator), which makes every token under it inactive at once, and raise
    ``consent.revoked`` (its ``reason`` is ``by``) in the same transaction; revoking twice
    changes nothing. The caller commits."""
    if by not in REVOKERS:
        raise ValueError(f"unknown revoker {by!r}")
    if consent.status not in (AWAITING, "authorized") or consent.effective_status(now) == "expired":
        return
    # A conditional UPDATE, so that of two concurrent revocations exactly one wins and
    # announces; the other finds nothing left to revoke.
    claimed = session.execute(
        sa.update(Consent).where(Consent.id == consent.id, Consent.status == consent.status)
        .values(status="revoked", revoked_at=now, revoked_by=by)
        .execution_options(synchronize_session=False))
    session.refresh(consent)
    if claimed.rowcount:
        webhooks.announce_consent(session, consent, "revoked", now=now)
