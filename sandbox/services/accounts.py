"""Reading accounts and balances through a grant."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import Account, Transaction
from sandbox.services.representation import account_dict, balances_dict, instant, money
from sandbox.services.tokens import Grant, day_start
from sandbox.vocabulary import LIABILITIES

#: The 404 detail of an account the token cannot see (unknown and foreign ids alike).
NO_ACCOUNT = "No account with this id is covered by the token's consent."


def _consented(grant: Grant):
    return sa.select(Account).where(Account.id.in_(sorted(grant.account_ids)),
                                    Account.bank_id == grant.bank_id,
                                    Account.customer_id == grant.customer_id)


def _account(session: Session, grant: Grant, account_id: str) -> Account:
    account = None
    if account_id in grant.account_ids:
        account = session.scalar(_consented(grant).where(Account.id == account_id))
    if account is None:
        raise NotFound(NO_ACCOUNT)
    return account


def list_accounts(session: Session, grant: Grant) -> list[dict]:
    """The consent's accounts, in the bank's display order."""
    accounts = session.scalars(_consented(grant).order_by(Account.position, Account.id))
    return [account_dict(account) for account in accounts]


def get_account(session: Session, grant: Grant, account_id: str) -> dict:
    """One account of the consent; ``NotFound`` for unknown and foreign ids alike."""
    return account_dict(_account(session, grant, account_id))


def get_balances(session: Session, grant: Grant, account_id: str) -> dict:
    """Balances of one account of the consent at the grant's instant; ``NotFound`` for
    unknown and foreign ids alike."""
    return balances_dict(_account(session, grant, account_id), grant.now)


def get_opening_balance(session: Session, grant: Grant, account_id: str) -> dict:
    """The booked balance of one account of the consent at the start of the grant's day
    (midnight UTC): ``current`` less what has posted since (for a liability, the amount owed
    plus it), as ``{"current", "currency", "as_of"}``; ``NotFound`` as for the others."""
    account = _account(session, grant, account_id)
    midnight = day_start(grant.now.date())
    posted = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
                            .where(Transaction.account_id == account.id,
                                   Transaction.status == "posted",
                                   Transaction.posted_at >= midnight))
    sign = 1 if account.type in LIABILITIES else -1
    return {"current": money(account.current_balance + sign * Decimal(posted)),
            "currency": account.currency, "as_of": instant(midnight)}


def list_balances(session: Session, grant: Grant) -> list[tuple[dict, dict]]:
    """Each account of the consent with its balances at the grant's instant, in the bank's
    display order."""
    accounts = session.scalars(_consented(grant).order_by(Account.position, Account.id))
    return [(account_dict(account), balances_dict(account, grant.now)) for account in accounts]
