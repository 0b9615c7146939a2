"""Keeping the world alive as the sandbox clock moves: ``catch_up`` generates what happened
since each account's ``generated_through`` and posts pending rows whose time has come, so a
world caught up to a later instant equals one seeded then (within the seeding month). Clock
moves catch up before they answer; a running clock's world is caught up by the webhook
worker's pass (:func:`keep_up`), never by a request.

The events of what changed (``transaction.created``, ``transaction.posted``, ``balance.low``)
are written to the webhook outbox in the same database transaction; a locked card's new
purchases become declined authorisations instead of transactions.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import catalog
from sandbox.models import Account, Bank, Customer, Transaction, WorldState
from sandbox.services import manage, webhooks
from sandbox.synth.context import make_world
from sandbox.synth.generate import (
    TRANSACTION_COLUMNS, drop_card_purchases, rows_since, to_money,
)
from sandbox.synth.store import BulkWriter
from sandbox.vocabulary import LIABILITIES

GENERATED = re.compile(r"^customer_\d{5}$")
ACCOUNTS = Account.__table__
TRANSACTIONS = Transaction.__table__
(ID, ACCOUNT_ID, AMOUNT, AUTHORIZED_AT, DESCRIPTION, CHANNEL, MERCHANT_ID) = (
    TRANSACTION_COLUMNS.index(name) for name in (
        "id", "account_id", "amount", "authorized_at", "description", "channel", "merchant_id"))


def catch_up(session: Session, now: datetime) -> dict:
    """Bring the world up to ``now``: new activity for every generated customer (persona or
    ``customer_NNNNN`` whose accounts have a ``generated_through``), then post pending rows
    due by ``now`` (running balances in posting order, balances updated), and raise their
    events, in the caller's transaction. Returns counts and ``seconds``."""
    started = time.perf_counter()
    # The first statement writes, so concurrent catch-ups take turns (SQLite write lock,
    # PostgreSQL row lock) and each sees what the previous one committed.
    locked = session.execute(
        sa.update(WorldState).where(WorldState.id == 1)
        .values(history_start=WorldState.history_start))
    counts = {"customers": 0, "transactions": 0, "receipts": 0, "shipments": 0, "posted": 0,
              "declined": 0}
    if locked.rowcount:
        state = session.get(WorldState, 1)
        created, touched = _generate(session, state, now, counts)
        posted, accounts = _post(session, now)
        counts["posted"] = len(posted)
        _refresh_pending(session, touched | accounts)
        _announce(session, created, posted, touched | accounts, now)
    return {**counts, "seconds": round(time.perf_counter() - started, 2)}


def post_due(session: Session, now: datetime) -> int:
    """Post the pending rows due by ``now`` (no new activity: cheap, for a clock that moved
    within the day). Running balances in posting order, balances and pending totals updated,
    ``transaction.posted`` and ``balance.low`` raised. The caller commits. Returns how many
    rows posted."""
    posted, accounts = _post(session, now)
    _refresh_pending(session, accounts)
    _announce(session, [], posted, accounts, now)
    return len(posted)


#: How often (wall seconds) a process looks whether a running clock has left the world behind.
KEEP_UP_INTERVAL = 60.0
_next_look = 0.0


def keep_up(session: Session, now: datetime) -> None:
    """While the clock runs, catch the world up to ``now`` once a new sandbox day has begun
    (or pending rows have come due), in the caller's transaction. Run by the webhook
    worker's sweep, never on a request; looks at most once a minute per process. Frozen
    clocks move only through ``clockctl.move``, which catches up itself."""
    global _next_look
    wall = time.monotonic()
    if wall < _next_look:
        return
    _next_look = wall + KEEP_UP_INTERVAL
    state = session.get(WorldState, 1)
    if state is None or state.clock_frozen_at is not None:
        return
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    behind = session.scalar(sa.select(sa.func.min(Account.generated_through)).where(
        Account.generated_through.is_not(None)))
    if behind is not None and behind < midnight:
        catch_up(session, now)
        return
    due = session.scalar(sa.select(Transaction.id).where(
        Transaction.status == "pending", Transaction.posts_at <= now).limit(1))
    if due is not None:
        post_due(session, now)


def _announce(session: Session, created: list[str], posted: list[str],
              accounts: set[str], now: datetime) -> None:
    """Raise the events of a catch-up in its transaction. Rows and balances were written
    with Core statements: ORM objects loaded before are expired so events read the new
    values."""
    session.flush()
    session.expire_all()
    webhooks.notify_transactions(session, "transaction.created", created, now=now)
    webhooks.notify_transactions(session, "transaction.posted", posted, now=now)
    webhooks.refresh_low_balances(session, accounts, now=now)


def _generate(session: Session, state: WorldState, now: datetime, counts: dict) -> tuple[list[str], set[str]]:
    """Insert what each generated customer did after its accounts' ``generated_through``.
    New rows go in pending (``_post`` then posts those already due); card purchases on
    accounts whose card is locked are declined instead. Returns the ids inserted and the
    accounts that got rows."""
    behind = dict(session.execute(
        sa.select(Account.customer_id, sa.func.min(Account.generated_through))
        .where(Account.generated_through < now).group_by(Account.customer_id)).all())
    if not behind:
        return [], set()
    personas = {persona["username"]: persona for persona in catalog.personas()}
    customers = session.scalars(
        sa.select(Customer).where(Customer.id.in_(behind))
        .order_by(Customer.bank_id, Customer.position)).all()
    locked = {account.id: account for account in session.scalars(
        sa.select(Account).where(Account.card_locked.is_(True)))
        if manage.declines_purchases(account)}
    connection = session.connection()
    worlds = {}
    created: list[str] = []
    touched: set[str] = set()
    terms_by_account: dict[str, dict] = {}
    with BulkWriter(connection, counts) as writer:
        for customer in customers:
            persona = personas.get(customer.persona) if customer.persona else None
            if persona is None and not GENERATED.match(customer.username):
                continue
            if customer.bank_id not in worlds:
                bank = session.get(Bank, customer.bank_id)
                fixture = {**bank.settings, "id": bank.id, "name": bank.name,
                           "routing_number": bank.routing_number}
                worlds[customer.bank_id] = make_world(state.seed, state.history_months,
                                                      state.history_start, fixture)
            fresh, terms = rows_since(worlds[customer.bank_id], customer.username,
                                      customer.position, persona, behind[customer.id], now)
            if locked:
                for row in drop_card_purchases(fresh, locked.keys()):
                    _decline(session, locked[row[ACCOUNT_ID]], row)
                    counts["declined"] += 1
            created.extend(row[ID] for row in fresh.transactions)
            touched.update(row[ACCOUNT_ID] for row in fresh.transactions)
            writer.add(fresh)
            terms_by_account.update(terms)
            counts["customers"] += 1
    connection.execute(
        ACCOUNTS.update().where(ACCOUNTS.c.customer_id.in_(list(behind)),
                                ACCOUNTS.c.generated_through < now)
        .values(generated_through=now))
    if terms_by_account:
        connection.execute(
            ACCOUNTS.update().where(ACCOUNTS.c.id == sa.bindparam("key"))
            .values(minimum_payment=sa.bindparam("new_minimum"),
                    payment_due_on=sa.bindparam("new_due")),
            [{"key": account_id, "new_minimum": terms["minimum_payment"],
              "new_due": terms["payment_due_on"]}
             for account_id, terms in terms_by_account.items()])
    return created, touched


def _decline(session: Session, account: Account, row: tuple) -> None:
    """Record a generated card purchase as declined; its id keeps the movement's suffix, so
    it is as deterministic as the rest of the world."""
    manage.decline(session, account, amount=to_money(row[AMOUNT]),
                   description=row[DESCRIPTION], channel=row[CHANNEL], merchant_id=row[MERCHANT_ID],
                   attempted_at=datetime.fromtimestamp(row[AUTHORIZED_AT], timezone.utc),
                   decline_id="dcl_" + row[ID].split("_", 1)[1])


def _post(session: Session, now: datetime) -> tuple[list[str], set[str]]:
    """Post every pending row whose posting instant has come, in posting order per account
    (``posts_at``, then id), setting running balances and account balances. Returns the ids
    posted and their accounts."""
    connection = session.connection()
    due = connection.execute(
        sa.select(TRANSACTIONS.c.id, TRANSACTIONS.c.account_id, TRANSACTIONS.c.amount,
                  TRANSACTIONS.c.posts_at)
        .where(TRANSACTIONS.c.status == "pending", TRANSACTIONS.c.posts_at <= now)
        .order_by(TRANSACTIONS.c.account_id, TRANSACTIONS.c.posts_at, TRANSACTIONS.c.id)).all()
    if not due:
        return [], set()
    by_account: dict[str, list] = defaultdict(list)
    for row in due:
        by_account[row.account_id].append(row)
    accounts = connection.execute(
        sa.select(ACCOUNTS.c.id, ACCOUNTS.c.type, ACCOUNTS.c.current_balance)
        .where(ACCOUNTS.c.id.in_(list(by_account)))).all()
    updates, balances = [], []
    for account in accounts:
        sign = -1 if account.type in LIABILITIES else 1
        balance = account.current_balance
        for row in by_account[account.id]:
            balance += sign * row.amount
            updates.append({"key": row.id, "new_posted_at": row.posts_at,
                            "new_running": balance})
        balances.append({"key": account.id, "new_balance": balance})
    connection.execute(
        TRANSACTIONS.update().where(TRANSACTIONS.c.id == sa.bindparam("key"))
        .values(status="posted", posted_at=sa.bindparam("new_posted_at"),
                running_balance=sa.bindparam("new_running")),
        updates)
    connection.execute(
        ACCOUNTS.update().where(ACCOUNTS.c.id == sa.bindparam("key"))
        .values(current_balance=sa.bindparam("new_balance")),
        balances)
    return [update["key"] for update in updates], set(by_account)


def _refresh_pending(session: Session, account_ids: set[str]) -> None:
    """Recompute ``pending_total`` of ``account_ids`` from their pending rows."""
    if not account_ids:
        return
    connection = session.connection()
    totals: dict[str, Decimal] = dict.fromkeys(account_ids, Decimal("0.00"))
    pending = connection.execute(
        sa.select(TRANSACTIONS.c.account_id, TRANSACTIONS.c.amount)
        .where(TRANSACTIONS.c.account_id.in_(list(account_ids)),
               TRANSACTIONS.c.status == "pending"))
    for account_id, amount in pending:
        totals[account_id] += amount
    connection.execute(
        ACCOUNTS.update().where(ACCOUNTS.c.id == sa.bindparam("key"))
        .values(pending_total=sa.bindparam("new_pending")),
        [{"key": account_id, "new_pending": total} for account_id, total in totals.items()])
