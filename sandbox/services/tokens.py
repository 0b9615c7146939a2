"""Bearer tokens as the data API sees them: one indexed lookup answers who may read what.

``load_grant`` is the resource server's side (a single query joining token, consent and the
clock); ``mint_token`` stores a consent and a token exactly as the OAuth flow would, for tests,
QA and the control plane.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from authlib.common.security import generate_token

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Account, Bank, Consent, Customer, Token, WorldState
from sandbox.services.clients import find_client
from sandbox.services.consents import max_expiry, new_consent_id

TOKEN_LENGTH = 48


class Rejection(enum.Enum):
    """Why a bearer token does not open the data API (each answers 401 invalid_token)."""

    UNKNOWN = "The access token is not known to this bank."
    REVOKED = "The access token has been revoked."
    EXPIRED = "The access token has expired."
    CONSENT_INACTIVE = "The consent behind this access token is no longer authorized."


@dataclass(frozen=True, slots=True)
class Grant:
    """What one active token may read: its bank, customer, consent, scopes and accounts."""

    bank_id: str
    client_id: str
    customer_id: str | None
    consent_id: str | None
    scopes: frozenset[str]
    account_ids: frozenset[str]
    transaction_from: date | None
    transaction_to: date | None
    now: datetime

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The consent's transaction window as ``[start, end)`` instants (None: open; a
        window up to the last representable day is open at its end)."""
        end = None if self.transaction_to == date.max else day_start(self.transaction_to, 1)
        return day_start(self.transaction_from), end


def day_start(day: date | None, plus_days: int = 0) -> datetime | None:
    """Midnight UTC of ``day`` (plus some days), or None."""
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=clock.UTC) + timedelta(days=plus_days)


_GRANT_QUERY = (
    sa.select(
        Token.bank_id, Token.client_id, Token.scope, Token.issued_at, Token.expires_in,
        Token.access_token_revoked_at, Token.customer_id, Token.consent_id,
        Consent.status, Consent.expires_at, Consent.scope.label("consent_scope"),
        Consent.account_ids, Consent.transaction_from, Consent.transaction_to,
        WorldState.clock_frozen_at, WorldState.clock_offset_seconds,
        WorldState.id.label("world"),
    )
    .select_from(Token)
    .outerjoin(Consent, Consent.id == Token.consent_id)
    .outerjoin(WorldState, WorldState.id == 1)
    .where(Token.access_token == sa.bindparam("token"))
)


def load_grant(access_token: str, connection: sa.Connection | None = None) -> Grant | Rejection:
    """The grant of an active access token, or why the token is refused; one query, on
    ``connection`` (default: the session's).

    Activity is judged by the sandbox clock, whose reading this query also fetches (and makes
    the request's instant).
    """
    connection = connection or db.session.connection()
    return grant_from_row(connection.execute(_GRANT_QUERY, {"token": access_token}).first())


def grant_query(*columns: sa.ColumnElement) -> sa.Select:
    """The statement :func:`load_grant` runs (bound parameter ``token``) with ``columns``
    added, for a caller that fetches more about the request in the same round trip."""
    return _GRANT_QUERY.add_columns(*columns)


def grant_from_row(row) -> Grant | Rejection:
    """What :func:`load_grant` answers for ``row`` of :func:`grant_query` (any row with its
    column names as attributes; None: no such token)."""
    if row is None:
        return Rejection.UNKNOWN
    if row.world is None:
        now = clock.now()
    else:
        now = clock.adopt(row.clock_frozen_at, row.clock_offset_seconds)
    if row.access_token_revoked_at:
        return Rejection.REVOKED
    if row.expires_in and row.issued_at + row.expires_in <= now.timestamp():
        return Rejection.EXPIRED
    scopes = frozenset((row.scope or "").split())
    accounts: frozenset[str] = frozenset()
    if row.consent_id is not None:
        if row.status != "authorized" or row.expires_at is None or row.expires_at <= now:
            return Rejection.CONSENT_INACTIVE
        scopes &= frozenset((row.consent_scope or "").split())
        accounts = frozenset(row.account_ids or ())
    return Grant(
        bank_id=row.bank_id, client_id=row.client_id, customer_id=row.customer_id,
        consent_id=row.consent_id, scopes=scopes, account_ids=accounts,
        transaction_from=row.transaction_from, transaction_to=row.transaction_to, now=now,
    )


class MintError(LookupError):
    """The bank, client, customer or an account named for a minted token does not exist."""


def mint_token(bank_id: str, client_id: str, username: str, scope: str,
               account_ids: list[str] | None = None, *, transaction_from: date | None = None,
               transaction_to: date | None = None, expires_at: datetime | None = None,
               purpose: str | None = None) -> dict:
    """Create an authorized consent and a bearer token for ``username`` at ``bank_id``, as a
    completed authorization-code flow would, and commit them.

    ``account_ids`` None selects all of the customer's accounts; ``expires_at`` None means the
    bank's ``consent_max_days``. The token lives ``tokens.access_token_seconds`` of the bank and
    comes with a refresh token when ``offline_access`` is in ``scope``. Answers the token
    response ``{access_token, refresh_token, expires_in, scope, consent_id, token_type}``.
    """
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        raise MintError(f"no bank {bank_id!r}")
    if find_client(bank_id, client_id) is None:
        raise MintError(f"no client {client_id!r} registered at {bank_id}")
    customer = db.session.scalar(
        sa.select(Customer).where(Customer.bank_id == bank_id, Customer.username == username))
    if customer is None:
        raise MintError(f"no customer {username!r} at {bank_id}")
    owned = db.session.scalars(
        sa.select(Account.id).where(Account.customer_id == customer.id)
        .order_by(Account.position)).all()
    if account_ids is None:
        account_ids = list(owned)
    unknown = sorted(set(account_ids) - set(owned))
    if unknown:
        raise MintError(f"{username} at {bank_id} has no account {', '.join(unknown)}")
    now = clock.now()
    lifetimes = bank.settings["tokens"]
    if expires_at is None:
        expires_at = max_expiry(bank, now)
    scope = " ".join(dict.fromkeys(scope.split()))
    consent = Consent(
        id=new_consent_id(), bank_id=bank_id, client_id=client_id,
        customer_id=customer.id, scope=scope, account_ids=list(account_ids), purpose=purpose,
        status="authorized", created_at=now, authorized_at=now, expires_at=expires_at,
        transaction_from=transaction_from, transaction_to=transaction_to,
    )
    lifetime = int(lifetimes["access_token_seconds"])
    refresh = generate_token(TOKEN_LENGTH) if "offline_access" in scope.split() else None
    token = Token(
        bank_id=bank_id, client_id=client_id, customer_id=customer.id, consent_id=consent.id,
        token_type="Bearer", access_token=generate_token(TOKEN_LENGTH), refresh_token=refresh,
        scope=scope, issued_at=int(now.timestamp()), expires_in=lifetime,
    )
    if refresh is not None:
        days = int(lifetimes["refresh_token_days"])
        token.refresh_token_expires_at = int(now.timestamp()) + days * 86_400
    db.session.add_all([consent, token])
    db.session.commit()
    return {
        "access_token": token.access_token, "refresh_token": refresh, "expires_in": lifetime,
        "scope": scope, "consent_id": consent.id, "token_type": "Bearer",
    }
