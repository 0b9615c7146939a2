"""Bearer tokens as the data API sees them: one indexed lookup answers who may read what.

``grant_row`` is the resource server's lookup (a single query joining token, consent, the
bank's page size and the clock) and ``grant_from_row`` the one rule deciding whether an
access token is active; the bearer path (``sandbox/oauth/resource.py``) uses both.
Services take their connection; nothing here reads the request or the clock itself.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from sandbox.models import Bank, Consent, Token, WorldState
from sandbox.models.oauth import consent_is_active
from sandbox.services.paging import DEFAULT_PAGE_SIZE_MAX
from sandbox.vocabulary import granted_scopes


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
    #: The largest page its bank serves, from the bank's row (a scenario may change it).
    page_size_max: int

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The consent's transaction window as ``[start, end)`` instants (None: open; a
        window up to the last representable day is open at its end)."""
        end = None if self.transaction_to == date.max else day_start(self.transaction_to, 1)
        return day_start(self.transaction_from), end


def day_start(day: date | None, plus_days: int = 0) -> datetime | None:
    """Midnight UTC of ``day`` (plus some days), or None."""
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=plus_days)


_GRANT_QUERY = (
    sa.select(
        Token.bank_id, Token.client_id, Token.scope, Token.issued_at, Token.expires_in,
        Token.access_token_revoked_at, Token.customer_id, Token.consent_id,
        Consent.status, Consent.expires_at, Consent.scope.label("consent_scope"),
        Consent.account_ids, Consent.transaction_from, Consent.transaction_to,
        WorldState.clock_frozen_at, WorldState.clock_offset_seconds,
        WorldState.id.label("world"),
        Bank.settings["page_size_max"].as_integer().label("page_size_max"),
    )
    .select_from(Token)
    .outerjoin(Consent, Consent.id == Token.consent_id)
    .outerjoin(Bank, Bank.id == Token.bank_id)
    .outerjoin(WorldState, WorldState.id == 1)
    .where(Token.access_token == sa.bindparam("token"))
)


def grant_row(connection: sa.Connection, access_token: str):
    """The row of :func:`grant_query` for ``access_token`` (None: no such token): the token,
    its consent and the sandbox clock's setting, in one query."""
    return connection.execute(_GRANT_QUERY, {"token": access_token}).first()


def access_grant(connection: sa.Connection, access_token: str,
                 now: datetime) -> Grant | Rejection:
    """The grant of ``access_token`` at ``now``, or why it is refused (introspection)."""
    row = grant_row(connection, access_token)
    return Rejection.UNKNOWN if row is None else grant_from_row(row, now)


def grant_query(*columns: sa.ColumnElement) -> sa.Select:
    """The statement :func:`grant_row` runs (bound parameter ``token``) with ``columns``
    added, for a caller that fetches more about the request in the same round trip."""
    return _GRANT_QUERY.add_columns(*columns)


def grant_from_row(row, now: datetime) -> Grant | Rejection:
    """The grant of the token of ``row`` (a :func:`grant_query` row, any object with its
    column names as attributes), or why the token is refused at ``now``. This is the one
    place that decides whether an access token is active: unrevoked, unexpired, and its
    consent (if any) authorized and unexpired."""
    if row.access_token_revoked_at:
        return Rejection.REVOKED
    if row.expires_in and row.issued_at + row.expires_in <= now.timestamp():
        return Rejection.EXPIRED
    scopes = frozenset((row.scope or "").split())
    accounts: frozenset[str] = frozenset()
    if row.consent_id is not None:
        if not consent_is_active(row.status, row.expires_at, now):
            return Rejection.CONSENT_INACTIVE
        scopes &= frozenset((row.consent_scope or "").split())
        accounts = frozenset(row.account_ids or ())
    return Grant(
        bank_id=row.bank_id, client_id=row.client_id, customer_id=row.customer_id,
        consent_id=row.consent_id, scopes=granted_scopes(scopes), account_ids=accounts,
        transaction_from=row.transaction_from, transaction_to=row.transaction_to, now=now,
        page_size_max=row.page_size_max or DEFAULT_PAGE_SIZE_MAX,
    )
