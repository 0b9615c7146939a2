"""Recomputing an account after rows were added or removed anywhere in its history.

``sandbox.services.world.post_due`` posts rows at the end of an account's history; QA can also
add posted rows in the past, which shifts the running balance of every later row. This walks
the account's posted rows in posting order ``(posts_at, id)`` from the first one affected,
then sets ``current_balance`` and ``pending_total``.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import Account, Transaction
from sandbox.vocabulary import LIABILITIES


def rebalance(session: Session, account: Account, since: datetime | None = None) -> int:
    """Recompute running balances of ``account``'s posted rows from ``since`` (None: from
    the opening balance), and its balances. Answers how many rows changed."""
    sign = -1 if account.type in LIABILITIES else 1
    balance = Decimal(account.opening_balance)
    posted = sa.and_(Transaction.account_id == account.id, Transaction.status == "posted")
    if since is not None:
        before = session.execute(
            sa.select(Transaction.running_balance).where(posted, Transaction.posts_at < since)
            .order_by(Transaction.posts_at.desc(), Transaction.id.desc()).limit(1)).first()
        if before is not None and before.running_balance is not None:
            balance = before.running_balance
        else:
            since = None
    query = sa.select(Transaction.id, Transaction.amount, Transaction.running_balance) \
        .where(posted).order_by(Transaction.posts_at, Transaction.id)
    if since is not None:
        query = query.where(Transaction.posts_at >= since)
    changed = []
    for row in session.execute(query):
        balance += sign * row.amount
        if row.running_balance != balance:
            changed.append({"row_id": row.id, "running_balance": balance})
    if changed:
        table = Transaction.__table__
        session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("row_id"))
            .values(running_balance=sa.bindparam("running_balance")), changed)
    pending = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
        .where(Transaction.account_id == account.id, Transaction.status == "pending"))
    account.current_balance = balance
    account.pending_total = Decimal(pending).quantize(Decimal("0.01"))
    return len(changed)


def lock(session: Session, *accounts: Account) -> None:
    """Hold the write lock on ``accounts`` until the caller's transaction ends, and reload
    them, so that a check of their balances and the change that follows it are atomic (the
    unit of work holds the lock).

    Each account row is touched by an UPDATE, in id order (no deadlock between two callers
    locking the same pair). PostgreSQL locks the row (a concurrent caller waits, then reads
    the committed balance); SQLite takes the database's write lock with the first UPDATE,
    which serialises writers across processes (a plain SELECT would not: pysqlite starts the
    transaction only at the first write).
    """
    for account in sorted(accounts, key=lambda one: one.id):
        session.execute(
            sa.update(Account).where(Account.id == account.id)
            .values(current_balance=Account.current_balance)
            .execution_options(synchronize_session=False))
    for account in accounts:
        session.refresh(account)
