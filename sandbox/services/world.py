"""Keeping the world alive as the sandbox clock moves: ``catch_up`` generates what happened
since each account's ``generated_through`` and posts pending rows whose time has come, so a
world caught up to a later instant equals one seeded then (within the seeding month)."""
from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from sandbox import catalog
from sandbox.extensions import db
from sandbox.models import Account, Bank, Customer, Transaction, WorldState
from sandbox.synth.context import make_world
from sandbox.synth.generate import TRANSACTION_COLUMNS, rows_since
from sandbox.synth.store import BulkWriter

GENERATED = re.compile(r"^customer_\d{5}$")
LIABILITIES = ("credit_card", "loan", "mortgage")
ACCOUNTS = Account.__table__
TRANSACTIONS = Transaction.__table__
ACCOUNT_ID = TRANSACTION_COLUMNS.index("account_id")


def catch_up(now: datetime) -> dict:
    """Bring the world up to ``now``: new activity for every generated customer (persona or
    ``customer_NNNNN`` whose accounts have a ``generated_through``), then post pending rows
    due by ``now`` (running balances in posting order, balances updated). Commits.
    Returns counts and ``seconds``."""
    started = time.perf_counter()
    # The first statement writes, so concurrent catch-ups take turns (SQLite write lock,
    # PostgreSQL row lock) and each sees what the previous one committed.
    locked = db.session.execute(
        sa.update(WorldState).where(WorldState.id == 1)
        .values(history_start=WorldState.history_start))
    counts = {"customers": 0, "transactions": 0, "receipts": 0, "shipments": 0, "posted": 0}
    if locked.rowcount:
        state = db.session.get(WorldState, 1)
        touched = _generate(state, now, counts)
        posted, accounts = _post(now)
        counts["posted"] = posted
        _refresh_pending(touched | accounts)
    db.session.commit()
    return {**counts, "seconds": round(time.perf_counter() - started, 2)}


def post_due(now: datetime) -> int:
    """Post the pending rows due by ``now`` (no new activity: cheap, for a clock that moved
    within the day). Running balances in posting order, balances and pending totals updated.
    The caller commits. Returns how many rows posted."""
    posted, accounts = _post(now)
    _refresh_pending(accounts)
    return posted


def _generate(state: WorldState, now: datetime, counts: dict) -> set[str]:
    """Insert what each generated customer did after its accounts' ``generated_through``.
    New rows go in pending (``_post`` then posts those already due). Returns the
    accounts that got rows."""
    behind = dict(db.session.execute(
        sa.select(Account.customer_id, sa.func.min(Account.generated_through))
        .where(Account.generated_through < now).group_by(Account.customer_id)).all())
    if not behind:
        return set()
    personas = {persona["username"]: persona for persona in catalog.personas()}
    customers = db.session.scalars(
        sa.select(Customer).where(Customer.id.in_(behind))
        .order_by(Customer.bank_id, Customer.position)).all()
    connection = db.session.connection()
    worlds = {}
    touched: set[str] = set()
    terms_by_account: dict[str, dict] = {}
    with BulkWriter(connection, counts) as writer:
        for customer in customers:
            persona = personas.get(customer.persona) if customer.persona else None
            if persona is None and not GENERATED.match(customer.username):
                continue
            if customer.bank_id not in worlds:
                bank = db.session.get(Bank, customer.bank_id)
                fixture = {**bank.settings, "id": bank.id, "name": bank.name,
                           "routing_number": bank.routing_number}
                worlds[customer.bank_id] = make_world(state.seed, state.history_months,
                                                      state.history_start, fixture)
            fresh, terms = rows_since(worlds[customer.bank_id], customer.username,
                                      customer.position, persona, behind[customer.id], now)
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
    return touched


def _post(now: datetime) -> tuple[int, set[str]]:
    """Post every pending row whose posting instant has come, in posting order per account
    (``posts_at``, then id), setting running balances and account balances. Returns how many
    rows posted and on which accounts."""
    connection = db.session.connection()
    due = connection.execute(
        sa.select(TRANSACTIONS.c.id, TRANSACTIONS.c.account_id, TRANSACTIONS.c.amount,
                  TRANSACTIONS.c.posts_at)
        .where(TRANSACTIONS.c.status == "pending", TRANSACTIONS.c.posts_at <= now)
        .order_by(TRANSACTIONS.c.account_id, TRANSACTIONS.c.posts_at, TRANSACTIONS.c.id)).all()
    if not due:
        return 0, set()
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
    return len(updates), set(by_account)


def _refresh_pending(account_ids: set[str]) -> None:
    """Recompute ``pending_total`` of ``account_ids`` from their pending rows."""
    if not account_ids:
        return
    connection = db.session.connection()
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
