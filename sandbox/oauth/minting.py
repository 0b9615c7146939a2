"""Tokens minted without the consent screen, for QA, tests and the control plane: an
authorized consent and its token, stored exactly as a completed authorization-code flow would
(the token row through :func:`sandbox.oauth.issuance.store_token`)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import Unprocessable
from sandbox.models import Account, Bank, Consent, Customer
from sandbox.oauth.issuance import new_token_string, store_token
from sandbox.services.clients import find_client
from sandbox.services.consents import max_expiry, new_consent_id


class MintError(Unprocessable):
    """The bank, client, customer or an account named for a minted token does not exist."""


def mint_token(session: Session, bank_id: str, client_id: str, username: str, scope: str,
               account_ids: list[str] | None = None, *, now: datetime,
               transaction_from: date | None = None, transaction_to: date | None = None,
               expires_at: datetime | None = None, purpose: str | None = None) -> dict:
    """Add an authorized consent and a bearer token for ``username`` at ``bank_id`` to
    ``session``, given at the sandbox instant ``now``; the caller's unit of work commits.

    ``account_ids`` None selects all of the customer's accounts; ``expires_at`` None means the
    bank's ``consent_max_days``. The token lives ``tokens.access_token_seconds`` of the bank and
    comes with a refresh token when ``offline_access`` is in ``scope``. Answers the token
    response ``{access_token, refresh_token, expires_in, scope, consent_id, token_type}``.
    """
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise MintError(f"no bank {bank_id!r}")
    if find_client(session, bank_id, client_id) is None:
        raise MintError(f"no client {client_id!r} registered at {bank_id}")
    customer = session.scalar(
        sa.select(Customer).where(Customer.bank_id == bank_id, Customer.username == username))
    if customer is None:
        raise MintError(f"no customer {username!r} at {bank_id}")
    owned = session.scalars(
        sa.select(Account.id).where(Account.customer_id == customer.id)
        .order_by(Account.position)).all()
    if account_ids is None:
        account_ids = list(owned)
    unknown = sorted(set(account_ids) - set(owned))
    if unknown:
        raise MintError(f"{username} at {bank_id} has no account {', '.join(unknown)}")
    scope = " ".join(dict.fromkeys(scope.split()))
    consent = Consent(
        id=new_consent_id(), bank_id=bank_id, client_id=client_id,
        customer_id=customer.id, scope=scope, account_ids=list(account_ids), purpose=purpose,
        status="authorized", created_at=now, authorized_at=now,
        expires_at=max_expiry(bank, now) if expires_at is None else expires_at,
        transaction_from=transaction_from, transaction_to=transaction_to,
    )
    session.add(consent)
    lifetime = int(bank.settings["tokens"]["access_token_seconds"])
    token = store_token(
        session, bank, client_id, access_token=new_token_string(),
        refresh_token=new_token_string() if "offline_access" in scope.split() else None,
        scope=scope, expires_in=lifetime, issued_at=int(now.timestamp()),
        customer_id=customer.id, consent_id=consent.id)
    return {
        "access_token": token.access_token, "refresh_token": token.refresh_token,
        "expires_in": lifetime, "scope": scope, "consent_id": consent.id,
        "token_type": "Bearer",
    }
