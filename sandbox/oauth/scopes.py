"""The scopes a bank grants (DESIGN.md §3) and how the consent page words them."""
from __future__ import annotations

#: Every scope, with the plain words a person reads on the consent page.
SCOPES: dict[str, str] = {
    "openid": "Confirm who you are when you sign in to the app",
    "profile": "See your name",
    "offline_access": "Keep this access while you are not using the app, until the consent "
                      "expires",
    "accounts": "See the accounts you choose: their names, types and last four digits",
    "balances": "See the balances of those accounts",
    "transactions": "See the transactions of those accounts",
    "receipts": "See itemised receipts of purchases made from those accounts",
    "shipments": "Track deliveries of your online orders",
    "identity": "See your contact details: email, phone number and address",
    "manage": "Lock and unlock cards, set alerts, rename accounts and move money between your "
              "own accounts",
}

#: Scopes that read or act on accounts: the person must select at least one account.
ACCOUNT_SCOPES = frozenset({"accounts", "balances", "transactions", "receipts", "manage"})


def split(scope: str | None) -> list[str]:
    """The scopes of a space-separated string, without duplicates, in order."""
    return list(dict.fromkeys((scope or "").split()))


def describe(scope: str) -> list[tuple[str, str]]:
    """``(scope, plain words)`` for each scope of the string."""
    return [(name, SCOPES[name]) for name in split(scope) if name in SCOPES]


def needs_accounts(scope: str) -> bool:
    """Whether the scope reads or acts on accounts."""
    return bool(ACCOUNT_SCOPES.intersection(split(scope)))
