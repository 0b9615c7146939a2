"""Reading transactions through a grant: keyset pages, filters, and the serialised-row cache.

A transaction only changes when it posts, so its JSON is built once per status (on first
read) and kept in ``transaction_json``; a page is then one indexed keyset query whose cached
fragments are spliced into the answer.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Merchant, Transaction, TransactionJson
from sandbox.services.paging import decode_cursor, encode_cursor, older_than
from sandbox.services.prepared import Prepared
from sandbox.services.representation import transaction_dict
from sandbox.services.tokens import Grant, day_start

CURSOR_KIND = "t"
#: Lower bound of the time range when neither the consent nor a filter sets one.
_DAWN = datetime(1900, 1, 1, tzinfo=clock.UTC)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Filters:
    """Transaction filters of the list endpoint; None means "any"."""

    from_: date | None = None
    to: date | None = None
    status: str | None = None
    category: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    q: str | None = None


def dumps(value) -> str:
    """Compact JSON, as every cached fragment is written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


_CACHED = sa.and_(TransactionJson.transaction_id == Transaction.id,
                  TransactionJson.status == Transaction.status,
                  TransactionJson.running_balance.is_not_distinct_from(
                      Transaction.running_balance))
#: ``authorized_at`` as the driver returns it: only the last row's is converted (for the
#: cursor), which spares a datetime conversion per row.
_RAW_AUTHORIZED_AT = sa.type_coerce(Transaction.authorized_at, sa.types.NullType()).label("at")
_PAGE = (
    sa.select(Transaction.id, _RAW_AUTHORIZED_AT, TransactionJson.body)
    .select_from(Transaction)
    .outerjoin(TransactionJson, _CACHED)
    .where(Transaction.account_id == sa.bindparam("account"),
           Transaction.authorized_at >= sa.bindparam("since"),
           Transaction.authorized_at < sa.bindparam("before"))
    .order_by(Transaction.authorized_at.desc(), Transaction.id.desc())
    .limit(sa.bindparam("size"))
)
_AFTER = older_than(Transaction.authorized_at, Transaction.id, sa.bindparam("at"),
                    sa.bindparam("after"))
#: The unfiltered first page and later pages: the hot path, run as prepared statements.
_FIRST_PAGE = Prepared(_PAGE)
_NEXT_PAGE = Prepared(_PAGE.where(_AFTER))
_ONE = (
    sa.select(Transaction.id, Transaction.account_id, TransactionJson.body)
    .select_from(Transaction)
    .outerjoin(TransactionJson, _CACHED)
    .where(Transaction.id == sa.bindparam("id"),
           Transaction.authorized_at >= sa.bindparam("since"),
           Transaction.authorized_at < sa.bindparam("before"))
)


def _range(grant: Grant, filters: Filters | None = None) -> dict:
    """``since``/``before`` bounds: authorized by the clock's now, inside the consent's
    window and the ``from``/``to`` filters."""
    starts = [day_start(grant.transaction_from)]
    ends = [day_start(grant.transaction_to, 1) if grant.transaction_to != date.max else None]
    if filters is not None:
        starts.append(day_start(filters.from_))
        ends.append(day_start(filters.to, 1) if filters.to not in (None, date.max) else None)
    since = max((start for start in starts if start is not None), default=_DAWN)
    before = min((end for end in ends if end is not None), default=grant.now + _TICK)
    return {"since": since, "before": min(before, grant.now + _TICK)}


def _filtered(filters: Filters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(Transaction.status == filters.status)
    if filters.category is not None:
        conditions.append(Transaction.category == filters.category)
    if filters.min_amount is not None:
        conditions.append(Transaction.amount >= filters.min_amount)
    if filters.max_amount is not None:
        conditions.append(Transaction.amount <= filters.max_amount)
    if filters.q:
        merchant_names = sa.select(Merchant.id).where(
            Merchant.name.icontains(filters.q, autoescape=True))
        conditions.append(sa.or_(Transaction.description.icontains(filters.q, autoescape=True),
                                 Transaction.merchant_id.in_(merchant_names)))
    return conditions


def transaction_page(connection: sa.Connection, grant: Grant, account_id: str,
                     filters: Filters, limit: int, cursor: str | None) -> str | None:
    """One page of the account's transactions, newest first, as the JSON text of
    ``{"data": [...], "next_cursor": ...}``; None when the grant does not cover the account.
    Raises ``InvalidCursor``."""
    if account_id not in grant.account_ids:
        return None
    params = {"account": account_id, "size": limit + 1, **_range(grant, filters)}
    if cursor:
        params["at"], params["after"] = decode_cursor(CURSOR_KIND, cursor)
    conditions = _filtered(filters)
    if conditions:
        query = _PAGE.where(*conditions)
        if cursor:
            query = query.where(_AFTER)
        rows = connection.execute(query, params).all()
    else:
        rows = (_NEXT_PAGE if cursor else _FIRST_PAGE).rows(connection, params)
    page = rows[:limit]
    next_cursor = "null"
    if len(rows) > limit:
        last = page[-1]
        at = _instant_reader(connection.dialect)(last[1])
        next_cursor = '"' + encode_cursor(CURSOR_KIND, at, last[0]) + '"'
    data = ",".join(_bodies(connection, page))
    return '{"data":[' + data + '],"next_cursor":' + next_cursor + "}"


@functools.cache
def _instant_reader(dialect):
    """Convert a raw ``authorized_at`` value of ``dialect`` as the column type would."""
    column_type = Transaction.authorized_at.type.dialect_impl(dialect)
    return column_type.result_processor(dialect, None) or (lambda raw: raw)


def get_transaction(connection: sa.Connection, grant: Grant,
                    transaction_id: str) -> str | None:
    """The JSON text of one transaction the grant may read, or None."""
    row = connection.execute(_ONE, {"id": transaction_id, **_range(grant)}).first()
    if row is None or row.account_id not in grant.account_ids:
        return None
    return _bodies(connection, [row])[0]


def _bodies(connection: sa.Connection, rows) -> list[str]:
    """The JSON text of each row (its first column is the id, its last the cached text, or
    None): cached, or serialised now and cached for next time."""
    bodies = [row[-1] for row in rows]
    if None not in bodies:
        return bodies
    fresh = _serialise([row[0] for row in rows if row[-1] is None])
    _remember(connection, [{"transaction_id": tid, "status": status,
                            "running_balance": running, "body": body}
                           for tid, (status, running, body) in fresh.items()])
    return [body if body is not None else fresh[row[0]][2] for row, body in zip(rows, bodies)]


def _serialise(ids: list[str]) -> dict[str, tuple[str, Decimal | None, str]]:
    found = list(db.session.scalars(sa.select(Transaction).where(Transaction.id.in_(ids))))
    merchant_ids = {t.merchant_id for t in found if t.merchant_id}
    merchants = {m.id: m for m in db.session.scalars(
        sa.select(Merchant).where(Merchant.id.in_(merchant_ids)))} if merchant_ids else {}
    return {t.id: (t.status, t.running_balance,
                   dumps(transaction_dict(t, merchants.get(t.merchant_id))))
            for t in found}


def _remember(connection: sa.Connection, rows: list[dict]) -> None:
    """Store serialised rows, replacing what was stored for an earlier state (committed with
    the access-log entry)."""
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(TransactionJson)
        statement = insert.on_conflict_do_update(
            index_elements=[TransactionJson.transaction_id],
            set_={"status": insert.excluded.status,
                  "running_balance": insert.excluded.running_balance,
                  "body": insert.excluded.body})
    else:
        connection.execute(sa.delete(TransactionJson).where(
            TransactionJson.transaction_id.in_([row["transaction_id"] for row in rows])))
        statement = sa.insert(TransactionJson)
    connection.execute(statement, rows)


def forget(transaction_ids: list[str] | None = None) -> None:
    """Drop stored JSON of the given transactions (all when None) after changing them in
    place other than by posting; the caller commits."""
    statement = sa.delete(TransactionJson)
    if transaction_ids is not None:
        statement = statement.where(TransactionJson.transaction_id.in_(transaction_ids))
    db.session.execute(statement)
