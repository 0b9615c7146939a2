"""Reading accounts and balances through a grant."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import Account
from sandbox.services.representation import account_dict, balances_dict
from sandbox.services.tokens import Grant


def _consented(grant: Grant):
    return sa.select(Account).where(Account.id.in_(sorted(grant.account_ids)),
                                    Account.bank_id == grant.bank_id,
                                    Account.customer_id == grant.customer_id)


def _account(grant: Grant, account_id: str) -> Account | None:
    if account_id not in grant.account_ids:
        return None
    return db.session.scalar(_consented(grant).where(Account.id == account_id))


def list_accounts(grant: Grant) -> list[dict]:
    """The consent's accounts, in the bank's display order."""
    accounts = db.session.scalars(_consented(grant).order_by(Account.position, Account.id))
    return [account_dict(account) for account in accounts]


def get_account(grant: Grant, account_id: str) -> dict | None:
    """One account of the consent, or None (unknown and foreign ids alike)."""
    account = _account(grant, account_id)
    return None if account is None else account_dict(account)


def get_balances(grant: Grant, account_id: str) -> dict | None:
    """Balances of one account of the consent at the grant's instant, or None."""
    account = _account(grant, account_id)
    return None if account is None else balances_dict(account, grant.now)
