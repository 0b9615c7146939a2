"""Account management for the person, through a consent with the ``manage`` scope: card lock,
low-balance alerts, nicknames and transfers between their own accounts.

Functions change rows and raise events in the caller's unit of work; refusals are
``SandboxError`` subclasses naming the field at fault.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import Conflict, NotFound, Unprocessable
from sandbox.models import Account, DeclinedAuthorization, Transaction
from sandbox.services import ledger, webhooks
from sandbox.services.representation import instant, money, transaction_dict
from sandbox.services.tokens import Grant

#: Account types that come with a card (a debit card, or the credit card itself).
CARD_TYPES = frozenset({"checking", "credit_card"})
#: Account types money can be transferred from.
SOURCE_TYPES = frozenset({"checking", "savings"})


def _refused(detail: str, field: str) -> Unprocessable:
    """A refusal naming the field of the JSON body at fault (422)."""
    return Unprocessable(detail, field=field, location="json")


def consented_account(session: Session, grant: Grant, account_id: str, *,
                      field: str | None = None) -> Account:
    """The account if the grant's consent covers it; otherwise ``NotFound`` (an account
    outside the consent is indistinguishable from one that does not exist), or, when the
    account is named by the body's ``field``, ``Unprocessable``."""
    account = None
    if account_id in grant.account_ids:
        account = session.scalar(sa.select(Account).where(
            Account.id == account_id, Account.bank_id == grant.bank_id,
            Account.customer_id == grant.customer_id))
    if account is None:
        detail = f"The consent gives no access to an account {account_id!r}."
        raise NotFound(detail) if field is None else _refused(detail, field)
    return account


def set_card_lock(session: Session, account: Account, locked: bool, *,
                  now: datetime) -> Account:
    """Lock or unlock the account's card; raises ``card.locked``/``card.unlocked`` when the
    state changes (locking a locked card changes nothing)."""
    if account.type not in CARD_TYPES:
        raise Conflict(f"A {account.type} account has no card to lock or unlock.")
    if account.status != "open":
        raise Conflict("The account is closed.")
    if bool(account.card_locked) != locked:
        account.card_locked = locked
        webhooks.notify_card(session, account, locked, now=now)
    return account


def set_low_balance_alert(session: Session, account: Account, threshold: Decimal | None, *,
                          now: datetime) -> Account:
    """Set (or, with None, remove) the low-balance threshold. An account the new threshold
    puts below it raises ``balance.low`` at once (unless it already had)."""
    if webhooks.watched_balance(account, now=now) is None:
        raise Conflict(f"A {account.type} account has no available balance to watch.")
    account.low_balance_threshold = threshold
    webhooks.refresh_low_balance(session, account, now=now)
    return account


def set_nickname(account: Account, nickname: str | None) -> Account:
    """Name the account for the person (blank or None removes the nickname)."""
    account.nickname = (nickname or "").strip() or None
    return account


def transfer(session: Session, grant: Grant, source_id: str, target_id: str, amount: Decimal,
             memo: str | None = None, *, now: datetime) -> dict:
    """Move ``amount`` between two open accounts of the grant's consent, posted at once.

    Two linked transactions (``channel`` ``transfer``), running balances and balances follow
    (the ledger's ``rebalance``), ``transaction.created`` and ``balance.low`` are raised.
    Raises ``Unprocessable`` (naming the field) for a non-positive amount, the same account
    twice, an account outside the consent or closed, a source that is not a deposit account,
    another currency, or insufficient funds. Both accounts stay locked from the funds check
    to the end of the caller's unit of work, so concurrent transfers have the serial outcome.
    Answers the transfer with its two transactions.
    """
    if amount <= 0:
        raise _refused("The amount must be positive.", "amount")
    if source_id == target_id:
        raise _refused("A transfer needs two different accounts.", "to_account_id")
    source = consented_account(session, grant, source_id, field="from_account_id")
    target = consented_account(session, grant, target_id, field="to_account_id")
    ledger.lock(session, source, target)
    for account, field in ((source, "from_account_id"), (target, "to_account_id")):
        if account.status != "open":
            raise _refused(f"The account {account.id} is closed.", field)
    if source.type not in SOURCE_TYPES:
        raise _refused("Transfers can only be made from a checking or savings account.",
                       "from_account_id")
    if target.currency != source.currency:
        raise _refused("Both accounts must hold the same currency.", "to_account_id")
    available = webhooks.watched_balance(source, now=now)
    if amount > available:
        raise _refused(f"Insufficient funds: {money(available)} {source.currency} "
                       f"available in {source.id}.", "amount")
    suffix = f": {memo}" if memo else ""
    rows = [_leg(source, -amount, f"TRANSFER TO ...{target.mask}{suffix}", target, now),
            _leg(target, amount, f"TRANSFER FROM ...{source.mask}{suffix}", source, now)]
    session.add_all(rows)
    session.flush()
    for account in (source, target):
        ledger.rebalance(session, account, since=now)
    for row, account in zip(rows, (source, target)):
        session.refresh(row)
        webhooks.notify_transaction(session, "transaction.created", row, account, now=now)
        webhooks.refresh_low_balance(session, account, now=now)
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


def decline(session: Session, account: Account, *, amount: Decimal, description: str, channel: str,
            attempted_at: datetime, merchant_id: str | None = None,
            decline_id: str | None = None) -> DeclinedAuthorization:
    """Record a card purchase refused because the card is locked, instead of a transaction
    ``amount`` is signed from the holder's side, as a transaction's."""
    declined = DeclinedAuthorization(
        id=decline_id or webhooks.new_id("dcl"), account_id=account.id, amount=amount,
        currency=account.currency, description=description, channel=channel,
        merchant_id=merchant_id, attempted_at=attempted_at, reason="card_locked")
    session.add(declined)
    return declined
