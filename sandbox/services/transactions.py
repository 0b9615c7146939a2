"""Reading transactions through a grant: keyset pages and filters, spliced from stored JSON.

A transaction's JSON is built on first read and kept (``transaction_json``, see
:mod:`sandbox.fastpath` for when it is dropped); a page is then one indexed keyset query
whose stored fragments are spliced into the answer.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from sandbox import clock
from sandbox.fastpath import STORED_JSON_IS_CURRENT, Prepared, store_json
from sandbox.errors import NotFound
from sandbox.models import Merchant, Transaction, TransactionJson
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.paging import Keyset, decode_cursor, older_than
from sandbox.services.representation import dumps, transaction_dict
from sandbox.services.tokens import Grant, day_start

KEYSET = Keyset("t", Transaction.id, Transaction.authorized_at)
#: The 404 detail of a transaction the token cannot see (unknown and foreign ids alike).
NO_TRANSACTION = "No transaction with this id is visible to the token's consent."
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
    #: Instants bounding ``authorized_at``, both included (the UK Open Banking dialect's
    #: ``fromBookingDateTime``/``toBookingDateTime``).
    since: datetime | None = None
    until: datetime | None = None


#: ``authorized_at`` as the driver returns it: only the last row's is converted (for the
#: cursor), which spares a datetime conversion per row.
_RAW_AUTHORIZED_AT = sa.type_coerce(Transaction.authorized_at, sa.types.NullType()).label("at")
_PAGE = (
    sa.select(Transaction.id, _RAW_AUTHORIZED_AT, TransactionJson.body)
    .select_from(Transaction)
    .outerjoin(TransactionJson, STORED_JSON_IS_CURRENT)
    .where(Transaction.account_id == sa.bindparam("account"),
           Transaction.authorized_at >= sa.bindparam("since"),
           Transaction.authorized_at < sa.bindparam("before"))
    .order_by(*KEYSET.order())
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
    .outerjoin(TransactionJson, STORED_JSON_IS_CURRENT)
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
        starts.append(filters.since)
        # Later than now is the same as now (and spares overflowing at the year 9999).
        ends.append(filters.until + _TICK if filters.until is not None
                    and filters.until < grant.now else None)
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


def numbered_page(connection: sa.Connection, grant: Grant, account_id: str, filters: Filters,
                  *, since: datetime | None, before: datetime | None, offset: int,
                  limit: int) -> tuple[int, list[str]]:
    """How many of the account's transactions match, and the JSON text of ``limit`` of them
    from ``offset``, newest first: for standards that page by number. ``since``/``before``
    bound ``authorized_at`` (``[since, before)``) inside the consent's window. Raises
    ``NotFound`` when the grant does not cover the account."""
    if account_id not in grant.account_ids:
        raise NotFound(NO_ACCOUNT)
    bounds = _range(grant, filters)
    if since is not None:
        bounds["since"] = max(bounds["since"], since)
    if before is not None:
        bounds["before"] = min(bounds["before"], before)
    conditions = [Transaction.account_id == account_id,
                  Transaction.authorized_at >= bounds["since"],
                  Transaction.authorized_at < bounds["before"], *_filtered(filters)]
    total = connection.scalar(sa.select(sa.func.count()).select_from(Transaction)
                              .where(*conditions))
    rows = connection.execute(
        sa.select(Transaction.id, TransactionJson.body).select_from(Transaction)
        .outerjoin(TransactionJson, STORED_JSON_IS_CURRENT).where(*conditions)
        .order_by(*KEYSET.order()).offset(offset).limit(limit)).all()
    return total, _bodies(connection, rows)


def transaction_page(connection: sa.Connection, grant: Grant, account_id: str,
                     filters: Filters, limit: int, cursor: str | None) -> str:
    """One page of the account's transactions, newest first, as the JSON text of
    ``{"data": [...], "next_cursor": ...}``. Raises ``NotFound`` when the grant does not
    cover the account, :class:`~sandbox.services.paging.InvalidCursor`."""
    if account_id not in grant.account_ids:
        raise NotFound(NO_ACCOUNT)
    params = {"account": account_id, "size": limit + 1, **_range(grant, filters)}
    if cursor:
        params["at"], params["after"] = decode_cursor(KEYSET.kind, cursor)
    conditions = _filtered(filters)
    if conditions:
        query = _PAGE.where(*conditions)
        if cursor:
            query = query.where(_AFTER)
        rows = connection.execute(query, params).all()
    else:
        rows = (_NEXT_PAGE if cursor else _FIRST_PAGE).rows(connection, params)
    read_instant = _instant_reader(connection.dialect)
    page, next_cursor = KEYSET.cut(rows, limit, lambda row: (read_instant(row[1]), row[0]))
    next_cursor = "null" if next_cursor is None else '"' + next_cursor + '"'
    data = ",".join(_bodies(connection, page))
    return '{"data":[' + data + '],"next_cursor":' + next_cursor + "}"


@functools.cache
def _instant_reader(dialect):
    """Convert a raw ``authorized_at`` value of ``dialect`` as the column type would."""
    column_type = Transaction.authorized_at.type.dialect_impl(dialect)
    return column_type.result_processor(dialect, None) or (lambda raw: raw)


def get_transaction(connection: sa.Connection, grant: Grant,
                    transaction_id: str) -> str:
    """The JSON text of one transaction the grant may read; ``NotFound`` otherwise."""
    row = connection.execute(_ONE, {"id": transaction_id, **_range(grant)}).first()
    if row is None or row.account_id not in grant.account_ids:
        raise NotFound(NO_TRANSACTION)
    return _bodies(connection, [row])[0]


def _bodies(connection: sa.Connection, rows) -> list[str]:
    """The JSON text of each row (its first column is the id, its last the stored text, or
    None): stored, or serialised now and stored for next time."""
    bodies = [row[-1] for row in rows]
    if None not in bodies:
        return bodies
    fresh = _serialise(connection, [row[0] for row in rows if row[-1] is None])
    store_json(connection, [{"transaction_id": tid, "status": status,
                             "running_balance": running, "body": body}
                            for tid, (status, running, body) in fresh.items()])
    return [body if body is not None else fresh[row[0]][2] for row, body in zip(rows, bodies)]


def _serialise(connection: sa.Connection,
               ids: list[str]) -> dict[str, tuple[str, Decimal | None, str]]:
    table, merchants = Transaction.__table__, Merchant.__table__
    found = connection.execute(sa.select(table).where(table.c.id.in_(ids))).all()
    merchant_ids = {row.merchant_id for row in found if row.merchant_id}
    by_id = {m.id: m for m in connection.execute(
        sa.select(merchants).where(merchants.c.id.in_(merchant_ids)))} if merchant_ids else {}
    return {row.id: (row.status, row.running_balance,
                     dumps(transaction_dict(row, by_id.get(row.merchant_id))))
            for row in found}
