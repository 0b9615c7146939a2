"""Bulk loading of generated rows, in batches (never the whole world in memory), parents
before children so foreign keys hold at every statement.

The three big tables take one of three paths, picked by :func:`bulk_path` for the connection:

- ``portable`` (any database): SQLAlchemy Core ``insert()`` executemany with the column types
  doing the conversions (Decimal money, aware datetimes).
- ``sqlite``: the values are converted here to exactly what the column types would have bound
  (money as float, instants as SQLAlchemy's SQLite text format, JSON as ``json.dumps``) and
  inserted with ``exec_driver_sql``, skipping per-value type processing.
- ``copy`` (PostgreSQL through psycopg): each row becomes a line of ``COPY ... FROM STDIN``
  text (same values as text: exact decimal money, naive-UTC instants, JSON text), streamed
  through psycopg's ``cursor.copy()``.

Converting is the costly part, so the generator processes do it (:mod:`sandbox.synth.pipeline`)
and the writer only ships what it receives.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa

from sandbox.models import Account, Customer, Receipt, Shipment, Transaction
from sandbox.synth.generate import (
    POSTED_AT, RECEIPT_COLUMNS, RUNNING_BALANCE, SHIPMENT_COLUMNS, TRANSACTION_COLUMNS,
    CustomerRows,
)

BATCH_ROWS = 20_000
AMOUNT = TRANSACTION_COLUMNS.index("amount")
AUTHORIZED_AT = TRANSACTION_COLUMNS.index("authorized_at")
POSTS_AT = TRANSACTION_COLUMNS.index("posts_at")
LATITUDE = TRANSACTION_COLUMNS.index("location_lat")  # longitude follows, then the balance
DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MONEY = frozenset(("amount", "running_balance", "subtotal", "tax", "tip", "shipping", "total"))
INSTANTS = frozenset(("authorized_at", "posted_at", "posts_at", "issued_at", "shipped_at"))
JSON = frozenset(("line_items", "events"))
FLOATS = frozenset(("location_lat", "location_lon"))
#: The bulk paths (see the module docstring).
PORTABLE, SQLITE, COPY = "portable", "sqlite", "copy"
#: COPY's text format: the null marker and the characters a value must escape.
COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
TABLES = (("transactions", Transaction, TRANSACTION_COLUMNS),
          ("receipts", Receipt, RECEIPT_COLUMNS),
          ("shipments", Shipment, SHIPMENT_COLUMNS))
KINDS = tuple(kind for kind, _, _ in TABLES)

_day_text: dict[int, str] = {}
_time_text: dict[int, str] = {}


def sqlite_instant(instant: int | None) -> str | None:
    """Unix seconds as SQLAlchemy's SQLite DATETIME text (``2026-03-01 12:00:00.000000``)."""
    if instant is None:
        return None
    day, second = divmod(instant, DAY)
    day_text = _day_text.get(day)
    if day_text is None:
        day_text = _day_text[day] = date.fromordinal(day + EPOCH_ORDINAL).isoformat() + " "
    time_text = _time_text.get(second)
    if time_text is None:
        hours, rest = divmod(second, 3600)
        time_text = _time_text[second] = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000"
    return day_text + time_text


def portable_instant(instant: int | None) -> datetime | None:
    """Unix seconds as an aware UTC datetime."""
    return None if instant is None else datetime.fromtimestamp(instant, timezone.utc)


def portable_money(amount: int | None) -> Decimal | None:
    """Integer cents as a two-place Decimal."""
    return None if amount is None else Decimal(amount).scaleb(-2)


def sqlite_money(amount: int | None) -> float | None:
    """Integer cents as the float SQLAlchemy binds for NUMERIC on SQLite."""
    return None if amount is None else amount / 100


def copy_money(amount: int) -> str:
    """Integer cents as decimal text (``-42.17``): exact, as the nearest double to a cent
    amount is far closer than half a cent to it."""
    return f"{amount / 100:.2f}"


def copy_line(values: list) -> str:
    """One row of COPY text from ``values`` (text or None): escaped only when a value holds
    a backslash, tab or line break, which a quick look at the joined line tells."""
    line = "\t".join([COPY_NULL if value is None else value for value in values])
    if (line.count("\\") != values.count(None) or line.count("\t") != len(values) - 1
            or "\n" in line or "\r" in line):
        line = "\t".join([COPY_NULL if value is None else value.translate(_COPY_ESCAPES)
                          for value in values])
    return line + "\n"


@functools.cache
def _converters(columns: tuple[str, ...], path: str) -> tuple:
    """(index, function) for each column whose values ``path`` converts (None stays None)."""
    money = {PORTABLE: portable_money, SQLITE: sqlite_money, COPY: copy_money}[path]
    instant = portable_instant if path == PORTABLE else sqlite_instant
    kinds = []
    for index, name in enumerate(columns):
        if name in MONEY:
            kinds.append((index, money))
        elif name in INSTANTS:
            kinds.append((index, instant))
        elif name in JSON and path != PORTABLE:
            kinds.append((index, json.dumps))
        elif name == "estimated_delivery" and path != PORTABLE:
            kinds.append((index, date.isoformat))
        elif name in FLOATS and path == COPY:
            kinds.append((index, repr))
    return tuple(kinds)


def _convert(rows: list[tuple], columns: tuple[str, ...], path: str) -> list:
    converters = _converters(columns, path)
    converted = []
    for row in rows:
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        if path == SQLITE:
            converted.append(tuple(values))
        elif path == COPY:
            converted.append(copy_line(values))
        else:
            converted.append(dict(zip(columns, values)))
    if path == COPY:
        converted.sort()
    return converted


def _sqlite_transactions(rows: list[tuple]) -> list[tuple]:
    """Transactions converted for the SQLite fast path (the hottest loop of seeding): an
    instant shared by several columns is formatted once."""
    instant = sqlite_instant
    converted = []
    append = converted.append
    for row in rows:
        authorized, posted, posts, running = (row[AUTHORIZED_AT], row[POSTED_AT], row[POSTS_AT],
                                              row[RUNNING_BALANCE])
        authorized_text = instant(authorized)
        posts_text = authorized_text if posts == authorized else instant(posts)
        append((*row[:AMOUNT], row[AMOUNT] / 100, *row[AMOUNT + 1:AUTHORIZED_AT],
                authorized_text, None if posted is None else posts_text, posts_text,
                *row[POSTS_AT + 1:RUNNING_BALANCE], None if running is None else running / 100,
                *row[RUNNING_BALANCE + 1:]))
    converted.sort()
    return converted


def _copy_transactions(rows: list[tuple]) -> list[str]:
    """Transactions as COPY lines, like :func:`_sqlite_transactions` (the hottest loop of
    seeding on PostgreSQL)."""
    instant, money = sqlite_instant, copy_money
    lines = []
    append = lines.append
    for row in rows:
        authorized, posted, posts, running = (row[AUTHORIZED_AT], row[POSTED_AT], row[POSTS_AT],
                                              row[RUNNING_BALANCE])
        latitude, longitude = row[LATITUDE], row[LATITUDE + 1]
        authorized_text = instant(authorized)
        posts_text = authorized_text if posts == authorized else instant(posts)
        append(copy_line([
            *row[:AMOUNT], money(row[AMOUNT]), *row[AMOUNT + 1:AUTHORIZED_AT], authorized_text,
            None if posted is None else posts_text, posts_text, *row[POSTS_AT + 1:LATITUDE],
            None if latitude is None else repr(latitude),
            None if longitude is None else repr(longitude),
            None if running is None else money(running), *row[RUNNING_BALANCE + 1:]]))
    lines.sort()
    return lines


@contextmanager
def constraints_deferred(connection: sa.Connection) -> Iterator[None]:
    """For a bulk load into the empty big tables: drop their secondary indexes and, where the
    engine can alter constraints (not SQLite), their foreign keys; build them once at the end
    (adding a foreign key checks every row in one join). Faster than maintaining them row by
    row: on PostgreSQL the per-row foreign key checks were most of a load's time."""
    indexes = [index for _, model, _ in TABLES for index in model.__table__.indexes]
    foreign_keys = [] if connection.dialect.name == "sqlite" else [
        (model.__table__.name, key) for _, model, _ in TABLES
        for key in sa.inspect(connection).get_foreign_keys(model.__table__.name)]
    quote = connection.dialect.identifier_preparer.quote
    for index in indexes:
        index.drop(connection)
    for table, key in foreign_keys:
        connection.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT "
                                   f"{quote(key['name'])}")
    yield
    for index in indexes:
        index.create(connection)
    for table, key in foreign_keys:
        columns, referred = (", ".join(map(quote, key[side]))
                             for side in ("constrained_columns", "referred_columns"))
        connection.exec_driver_sql(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(key['name'])} FOREIGN KEY "
            f"({columns}) REFERENCES {quote(key['referred_table'])} ({referred})")


def prepare(rows: CustomerRows, path: str, kinds: tuple[str, ...] = KINDS) -> CustomerRows:
    """Convert a customer's big-table tuples (of ``kinds``) to what the bulk ``path`` takes:
    tuples for ``sqlite``, COPY text lines for ``copy``, dicts of Decimal and datetime values
    for ``portable``."""
    converted = {}
    for kind, _, columns in TABLES:
        values = getattr(rows, kind)
        if kind not in kinds:
            converted[kind] = values
        elif path == SQLITE and kind == "transactions":
            converted[kind] = _sqlite_transactions(values)
        elif path == COPY and kind == "transactions":
            converted[kind] = _copy_transactions(values)
        else:
            converted[kind] = _convert(values, columns, path)
    return CustomerRows(customer=rows.customer, accounts=rows.accounts, **converted)


def bulk_path(bind: sa.Connection | sa.Engine) -> str:
    """The bulk path ``bind`` takes: ``sqlite``, ``copy`` (PostgreSQL through psycopg) or
    ``portable``."""
    dialect = bind.dialect
    if dialect.name == "sqlite":
        return SQLITE
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        return COPY
    return PORTABLE


class BulkWriter:
    """Collects :class:`CustomerRows`, converts them (:func:`prepare`) and inserts them in
    batches on ``connection``; ``counts`` is updated with the rows written per kind.
    ``freeze``: the big tables were created in the connection's transaction, so PostgreSQL
    may load them already frozen (``COPY ... (FREEZE)``): the first reads and the ANALYZE
    that follows the load then write no hint bits (PostgreSQL refuses FREEZE otherwise)."""

    def __init__(self, connection: sa.Connection, counts: dict[str, int], *,
                 freeze: bool = False):
        self.connection = connection
        self.counts = counts
        self.freeze = freeze
        self.path = bulk_path(connection)
        self.pending: dict[str, list] = {kind: [] for kind in
                                         ("customers", "accounts", "transactions", "receipts",
                                          "shipments")}

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.flush()

    def insert(self, model, rows: list[dict]) -> None:
        """Insert ``rows`` (dicts) into ``model``'s table now."""
        if rows:
            self.connection.execute(sa.insert(model.__table__), rows)

    def add(self, rows: CustomerRows, prepared: tuple[str, ...] = ()) -> None:
        """Queue one customer's rows (the ``prepared`` kinds already through
        :func:`prepare`); write when the batch is full."""
        rows = prepare(rows, self.path, tuple(kind for kind in KINDS if kind not in prepared))
        pending = self.pending
        if rows.customer is not None:
            pending["customers"].append(rows.customer)
        pending["accounts"].extend(rows.accounts)
        pending["transactions"].extend(rows.transactions)
        pending["receipts"].extend(rows.receipts)
        pending["shipments"].extend(rows.shipments)
        if len(pending["transactions"]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write everything queued."""
        pending = self.pending
        self.insert(Customer, pending["customers"])
        self.insert(Account, pending["accounts"])
        for kind, model, columns in TABLES:
            rows = pending[kind]
            if not rows:
                continue
            if self.path == SQLITE:
                statement = (f"INSERT INTO {model.__table__.name} ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' * len(columns))})")
                self.connection.exec_driver_sql(statement, rows)
            elif self.path == COPY:
                self._copy(model, columns, rows)
            else:
                self.insert(model, rows)
        for kind, rows in pending.items():
            self.counts[kind] = self.counts.get(kind, 0) + len(rows)
            rows.clear()

    def _copy(self, model, columns: tuple[str, ...], lines: list[str]) -> None:
        """Stream COPY text ``lines`` into ``model``'s table on this connection's transaction."""
        statement = f"COPY {model.__table__.name} ({', '.join(columns)}) FROM STDIN"
        if self.freeze:
            statement += " (FREEZE)"
        with self.connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write("".join(lines))
