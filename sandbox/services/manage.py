"""Account management for the person, through a consent with the ``manage`` scope: card lock,
low-balance alerts, nicknames and transfers between their own accounts.

Functions change rows and raise events in the caller's transaction; the caller commits.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Account, DeclinedAuthorization, Transaction
from sandbox.services import ledger, webhooks
from sandbox.services.representation import instant, money, transaction_dict
from sandbox.services.tokens import Grant

#: Account types that come with a card (a debit card, or the credit card itself).
CARD_TYPES = frozenset({"checking", "credit_card"})
#: Account types money can be transferred from.
SOURCE_TYPES = frozenset({"checking", "savings"})


class ManageError(Exception):
    """A refused request: HTTP ``status``, the ``field`` at fault (or None) and why."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def consented_account(grant: Grant, account_id: str, *, field: str | None = None) -> Account:
    """The account if the grant's consent covers it; ``ManageError`` 404 otherwise (an
    account outside the consent is indistinguishable from one that does not exist)."""
    account = None
    if account_id in grant.account_ids:
        account = db.session.scalar(sa.select(Account).where(
            Account.id == account_id, Account.bank_id == grant.bank_id,
            Account.customer_id == grant.customer_id))
    if account is None:
        raise ManageError(404 if field is None else 422,
                          f"The consent gives no access to an account {account_id!r}.", field)
    return account


def set_card_lock(account: Account, locked: bool) -> Account:
    """Lock or unlock the account's card; raises ``card.locked``/``card.unlocked`` when the
    state changes (locking a locked card changes nothing)."""
    if account.type not in CARD_TYPES:
        raise ManageError(409, f"A {account.type} account has no card to lock or unlock.")
    if account.status != "open":
        raise ManageError(409, "The account is closed.")
    if bool(account.card_locked) != locked:
        account.card_locked = locked
        webhooks.notify_card(account, locked)
    return account


def set_low_balance_alert(account: Account, threshold: Decimal | None) -> Account:
    """Set (or, with None, remove) the low-balance threshold. An account the new threshold
    puts below it raises ``balance.low`` at once (unless it already had)."""
    if webhooks.watched_balance(account) is None:
        raise ManageError(409, f"A {account.type} account has no available balance to watch.")
    account.low_balance_threshold = threshold
    webhooks.refresh_low_balance(account)
    return account


def set_nickname(account: Account, nickname: str | None) -> Account:
    """Name the account for the person (blank or None removes the nickname)."""
    account.nickname = (nickname or "").strip() or None
    return account


def transfer(grant: Grant, source_id: str, target_id: str, amount: Decimal,
             memo: str | None = None) -> dict:
    """Move ``amount`` between two open accounts of the grant's consent, posted at once.

    Two linked transactions (``channel`` ``transfer``), running balances and balances follow
    (the ledger's ``rebalance``), ``transaction.created`` and ``balance.low`` are raised.
    Raises ``ManageError`` (422 naming the field) for a non-positive amount, the same account
    twice, an account outside the consent or closed, a source that is not a deposit account,
    another currency, or insufficient funds. Both accounts stay locked from the funds check
    to the caller's commit, so concurrent transfers have the serial outcome. Answers the
    transfer with its two transactions.
    """
    if amount <= 0:
        raise ManageError(422, "The amount must be positive.", "amount")
    if source_id == target_id:
        raise ManageError(422, "A transfer needs two different accounts.", "to_account_id")
    source = consented_account(grant, source_id, field="from_account_id")
    target = consented_account(grant, target_id, field="to_account_id")
    ledger.lock(source, target)
    for account, field in ((source, "from_account_id"), (target, "to_account_id")):
        if account.status != "open":
            raise ManageError(422, f"The account {account.id} is closed.", field)
    if source.type not in SOURCE_TYPES:
        raise ManageError(422, "Transfers can only be made from a checking or savings "
                               "account.", "from_account_id")
    if target.currency != source.currency:
        raise ManageError(422, "Both accounts must hold the same currency.", "to_account_id")
    available = webhooks.watched_balance(source)
    if amount > available:
        raise ManageError(422, f"Insufficient funds: {money(available)} {source.currency} "
                               f"available in {source.id}.", "amount")
    now = clock.now()
    suffix = f": {memo}" if memo else ""
    rows = [_leg(source, -amount, f"TRANSFER TO ...{target.mask}{suffix}", target, now),
            _leg(target, amount, f"TRANSFER FROM ...{source.mask}{suffix}", source, now)]
    db.session.add_all(rows)
    db.session.flush()
    for account in (source, target):
        ledger.rebalance(account, since=now)
    for row, account in zip(rows, (source, target)):
        db.session.refresh(row)
        webhooks.notify_transaction("transaction.created", row, account)
        webhooks.refresh_low_balance(account)
    return {
        "id": webhooks.ordered_id("trf"), "status": "posted", "from_account_id": source.id,
        "to_account_id": target.id, "amount": money(amount), "currency": source.currency,
        "memo": memo, "created_at": instant(now),
        "transactions": [transaction_dict(row) for row in rows],
    }


def _leg(account: Account, amount: Decimal, description: str, other: Account,
         now: datetime) -> Transaction:
    """One side of a transfer: posted at ``now``."""
    return Transaction(
        id=webhooks.ordered_id("txn"), account_id=account.id, amount=amount,
        currency=account.currency, status="posted", authorized_at=now, posted_at=now,
        posts_at=now, description=description[:200], category="transfer", channel="transfer",
        counterparty_account_id=other.id)


def declines_purchases(account: Account) -> bool:
    """True when new card purchases on the account must be declined: its card is locked."""
    return bool(account.card_locked) and account.type in CARD_TYPES


def decline(account: Account, *, amount: Decimal, description: str, channel: str,
            attempted_at: datetime, merchant_id: str | None = None,
            decline_id: str | None = None) -> DeclinedAuthorization:
    """Record a card purchase refused because the card is locked, instead of a transaction
    (not committed). ``amount`` is signed from the holder's side, as a transaction's."""
    declined = DeclinedAuthorization(
        id=decline_id or webhooks.new_id("dcl"), account_id=account.id, amount=amount,
        currency=account.currency, description=description, channel=channel,
        merchant_id=merchant_id, attempted_at=attempted_at, reason="card_locked")
    db.session.add(declined)
    return declined
