"""Reading the data API for one link: the bearer token, refreshed (with rotation) when the
bank says it is no longer valid, and the bank's refusals in words a person understands."""
from __future__ import annotations

from decimal import Decimal

from sandbox.demo import bank_client
from sandbox.demo.bank_client import BankError
from sandbox.demo.models import Link

#: The data kind each data API path needs, for "you did not share ..." answers.
KIND_WORDS = {"balances": "balances", "transactions": "transactions", "receipts": "receipts",
              "shipments": "parcel tracking", "accounts": "accounts"}


def read(link: Link, path: str, params: dict | None = None) -> dict:
    """``GET {issuer}{path}`` with the link's token. On a 401 the refresh token is used once
    (the bank rotates it: both new tokens are kept) and the read retried. Raises
    :class:`BankError`; ``removed`` marks the link removed."""
    url = f"{link.issuer}{path}"
    try:
        return bank_client.get(url, link.access_token, params)
    except BankError as error:
        if error.kind != "removed":
            raise
        if not link.refresh_token:
            link.status = "removed"
            raise
    try:
        tokens = bank_client.token(link.issuer, {"grant_type": "refresh_token",
                                                 "refresh_token": link.refresh_token})
        link.access_token = tokens["access_token"]
        link.refresh_token = tokens.get("refresh_token", link.refresh_token)
        return bank_client.get(url, link.access_token, params)
    except BankError as error:
        if error.kind == "removed":
            link.status = "removed"
        raise


def explain(link: Link, error: BankError, kind: str) -> str:
    """What to tell the person when reading ``kind`` (a scope) from ``link`` failed."""
    bank = link.bank_name
    if error.kind == "scope":
        return (f"{bank}: you did not share your {KIND_WORDS.get(kind, kind)} with Sandbank "
                "Chat, so I can't see them. Unlink and link again to share them.")
    if error.kind == "removed":
        return (f"{bank}: access was removed, so I can no longer read your accounts. "
                "Link your bank account again if you want me back.")
    if error.kind == "unavailable":
        status = f" (HTTP {error.status})" if error.status else ""
        return f"{bank} is unavailable right now{status}. Please try again in a moment."
    return f"{bank} answered an error (HTTP {error.status}): {error.detail or 'no detail'}."


def money(amount: str | Decimal, currency: str = "USD") -> str:
    """``-$42.17`` for USD amounts; ``-42.17 EUR`` for others."""
    value = Decimal(str(amount))
    sign = "-" if value < 0 else ""
    if currency == "USD":
        return f"{sign}${abs(value):,.2f}"
    return f"{sign}{abs(value):,.2f} {currency}"


def account_label(account: dict) -> str:
    """``Everyday Checking ••5476``."""
    return f"{account.get('name', 'Account')} ••{account.get('mask', '')}"
