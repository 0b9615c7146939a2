"""The scopes a bank grants (DESIGN.md §3) and how the consent page words them."""
from __future__ import annotations

from sandbox.vocabulary import ACCOUNT_SCOPES, SCOPES


def split(scope: str | None) -> list[str]:
    """The scopes of a space-separated string, without duplicates, in order."""
    return list(dict.fromkeys((scope or "").split()))


def describe(scope: str) -> list[tuple[str, str]]:
    """``(scope, plain words)`` for each scope of the string."""
    return [(name, SCOPES[name]) for name in split(scope) if name in SCOPES]


def needs_accounts(scope: str) -> bool:
    """Whether the scope reads or acts on accounts."""
    return bool(ACCOUNT_SCOPES.intersection(split(scope)))
