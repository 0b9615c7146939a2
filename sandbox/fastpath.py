"""The data API's fast read path: everything it keeps, and how what it keeps is dropped.

Three things are kept so that a page of transactions costs about one indexed query:

- **Statements compiled once per process.** A :class:`Prepared` statement is compiled once
  per dialect and bound and read with its own SQLAlchemy types, exactly as
  ``Connection.execute`` would, but without the per-execution bookkeeping (execution
  context, result object, ``Row`` per row) that dominates a small query. A dialect that
  renders some parameters into the SQL text at execution time (post-compile parameters) runs
  the statement through ``Connection.execute`` instead. Result processors are built from the
  first execution's cursor description, as SQLAlchemy's own result does: some drivers
  (psycopg's NUMERIC reader) choose them by the column's database type.
- **The JSON text of each transaction** (``transaction_json``), written on first read and
  spliced into pages. It is dropped by one mechanism nobody has to remember: every UPDATE or
  DELETE of ``transactions`` rows, ORM or Core, from any module, first deletes the stored
  text of the rows it matches (:func:`_drop_stored_json`, an engine event). Reads also join
  on ``status`` and ``running_balance`` (:data:`STORED_JSON_IS_CURRENT`), so text stored by a
  reader that raced a writer is never served either.
- **The bearer token's grant row**, fetched by the fault hook in the request's first round
  trip and used once by authorization (:func:`keep_grant_row`).
- **Parsed query strings** (:class:`QueryParser`): the last ``CAPACITY`` distinct query
  strings of each list, so a client polling the same page is not validated again; the
  result is a pure function of the schema and the query string (no argument depends on the
  clock), failures are never kept, and each request gets its own copy.

A data request reads and writes on its own Core connection (:func:`connection`), from an
engine of its own whose connections autocommit (``sandbox.database.init_app``): each
statement stands alone, which spares BEGIN and COMMIT (round trips on PostgreSQL), and a
write holds SQLite's single write lock for one statement, inside one call into SQLite. Its
connections are not pinged on check-out (another round trip): a prepared read that finds
its connection closed by the server runs again on a fresh one
(:func:`_reopen_if_closed`). The read path writes two things. Freshly stored JSON is a
cache, stored at once. The access-log entry is queued by the view
(:func:`write_with_commit`) and inserted after the view returned (:func:`commit`), before
the answer leaves; a view that raises logs nothing (:func:`abandon`). Writing it in the
view, in a transaction committed after the answer was built, held the write lock across
Python code: with threads taking turns on the GIL, the other requests of every process,
each with its entry to write, slept in SQLite's busy handler, and the data API's p99 was
hundreds of milliseconds (docs/data-api.md, "Performance").
"""
from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple
from typing import NamedTuple

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from webargs.flaskparser import FlaskParser

from sandbox.database import DATA_ENGINE
from sandbox.models import Transaction, TransactionJson


class QueryParser(FlaskParser):
    """webargs' Flask parser, remembering what the last :data:`CAPACITY` distinct query
    strings of each schema parsed to (least recently used first out)."""

    CAPACITY = 1024

    def __init__(self) -> None:
        super().__init__()
        self._parsed: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # a gthread worker's threads share it

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        if location != "query":
            return super().parse(argmap, req, location=location, **kwargs)
        key = (argmap, request.query_string)
        with self._lock:
            parsed = self._parsed.get(key)
            if parsed is not None:
                self._parsed.move_to_end(key)
        if parsed is None:
            parsed = super().parse(argmap, req, location=location, **kwargs)
            with self._lock:
                self._parsed[key] = parsed
                if len(self._parsed) > self.CAPACITY:
                    self._parsed.popitem(last=False)
        return dict(parsed)


class _Plan(NamedTuple):
    sql: str
    compiled: SQLCompiler
    positions: tuple[str, ...] | None
    binders: dict


class Prepared:
    """A Core SELECT, or an INSERT with explicit ``values()``, to run on a connection's
    DB-API cursor."""

    def __init__(self, statement: sa.Select | sa.Insert) -> None:
        self.statement = statement
        self._columns = list(getattr(statement, "selected_columns", ()))
        self.row = namedtuple("row", [column.key for column in self._columns])
        self._plans: dict[Dialect, _Plan | None] = {}
        self._readers: dict[Dialect, list] = {}

    def _plan(self, dialect: Dialect) -> _Plan | None:
        if dialect not in self._plans:
            compiled = self.statement.compile(dialect=dialect)
            if compiled.literal_execute_params or compiled.post_compile_params:
                self._plans[dialect] = None
            else:
                self._plans[dialect] = _Plan(
                    compiled.string, compiled,
                    tuple(compiled.positiontup) if compiled.positional else None,
                    {compiled.bind_names[bind]: bind.type.dialect_impl(dialect)
                     .bind_processor(dialect) for bind in compiled.binds.values()},
                )
        return self._plans[dialect]

    def _readers_for(self, dialect: Dialect, description) -> list:
        """Each column's result processor, for the database types in ``description``."""
        if dialect not in self._readers:
            self._readers[dialect] = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self._columns, description)]
        return self._readers[dialect]

    def _run(self, connection: sa.Connection, plan: _Plan, params: dict, fetch: bool):
        """Execute on a DB-API cursor; with ``fetch``, return every row read through the
        columns' result processors. A read that finds its connection closed by the server
        runs once more on a fresh one (:func:`_reopen_if_closed`)."""
        values = plan.compiled.construct_params(params)
        for name, process in plan.binders.items():
            if process is not None:
                values[name] = process(values[name])
        arguments = values if plan.positions is None else [values[n] for n in plan.positions]
        try:
            fetched, description = _send(connection, plan.sql, arguments, fetch)
        except connection.dialect.loaded_dbapi.Error as error:
            if not (fetch and _reopen_if_closed(connection, error)):
                raise
            fetched, description = _send(connection, plan.sql, arguments, fetch)
        if not fetch:
            return None
        readers = self._readers_for(connection.dialect, description)
        if not any(readers):
            return fetched
        return [tuple(value if read is None else read(value) for read, value in zip(readers, row))
                for row in fetched]

    def execute(self, connection: sa.Connection, params: dict) -> None:
        """Run the statement with ``params`` (on the DB-API connection: on a connection that
        autocommits, it is committed when this returns)."""
        plan = self._plan(connection.dialect)
        if plan is None:
            connection.execute(self.statement, params)
        else:
            self._run(connection, plan, params, fetch=False)

    def rows(self, connection: sa.Connection, params: dict) -> list[tuple]:
        """Every row of the statement with ``params``, as plain tuples."""
        plan = self._plan(connection.dialect)
        if plan is None:
            return [tuple(row) for row in connection.execute(self.statement, params)]
        return self._run(connection, plan, params, fetch=True)

    def first(self, connection: sa.Connection, params: dict):
        """The first row of the statement with ``params`` as a named tuple (attributes named
        like the statement's columns), or None."""
        found = self.rows(connection, params)
        return self.row._make(found[0]) if found else None


def _send(connection: sa.Connection, sql: str, arguments, fetch: bool):
    """Run ``sql`` on a cursor of ``connection``'s DB-API connection: the rows and their
    description when ``fetch``, else ``(None, None)``."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, arguments)
        return (cursor.fetchall(), cursor.description) if fetch else (None, None)
    finally:
        cursor.close()


def _reopen_if_closed(connection: sa.Connection, error: Exception) -> bool:
    """When ``error`` says that the server closed ``connection`` (a restart, an idle timeout,
    a terminated backend) and no transaction is open on it: invalidate it and replace the
    pool, so that it and every connection pooled before it are opened afresh, and answer
    True. The data engine does not ping connections on check-out (a round trip of every
    request on PostgreSQL): its reads find a closed connection themselves."""
    raw = connection.connection.dbapi_connection
    if connection.in_transaction() or not connection.dialect.is_disconnect(error, raw, None):
        return False
    connection.invalidate(error)
    connection.engine.dispose()
    return True


# -- the stored JSON of transactions ---------------------------------------------------------

#: Join condition of ``transaction_json`` on ``transactions``: stored text is served only
#: while the row still has the ``status`` and ``running_balance`` it was written from.
STORED_JSON_IS_CURRENT = sa.and_(
    TransactionJson.transaction_id == Transaction.id,
    TransactionJson.status == Transaction.status,
    TransactionJson.running_balance.is_not_distinct_from(Transaction.running_balance))

_TRANSACTIONS = Transaction.__table__
_STORED = TransactionJson.__table__


def store_json(connection: sa.Connection, rows: list[dict]) -> None:
    """Store serialised transactions (``transaction_id``, ``status``, ``running_balance``,
    ``body``), replacing what was stored for an earlier state of the same rows: in one
    statement, so one commit on the request's autocommitting connection."""
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(_STORED)
        connection.execute(insert.values(rows).on_conflict_do_update(
            index_elements=[_STORED.c.transaction_id],
            set_={"status": insert.excluded.status,
                  "running_balance": insert.excluded.running_balance,
                  "body": insert.excluded.body}))
        return
    connection.execute(sa.delete(_STORED).where(
        _STORED.c.transaction_id.in_([row["transaction_id"] for row in rows])))
    connection.execute(sa.insert(_STORED), rows)


def _drop_stored_json(connection: sa.Connection, statement, multiparams, params,
                      _options) -> None:
    """Before an UPDATE or DELETE of ``transactions`` runs, delete the stored JSON of the rows
    it matches (with the same parameters, so an executemany drops every row's)."""
    if not isinstance(statement, (sa.Update, sa.Delete)) \
            or statement.table._deannotate() is not _TRANSACTIONS:  # ORM ones are annotated
        return
    matched = sa.select(_TRANSACTIONS.c.id)
    if statement.whereclause is not None:
        matched = matched.where(statement.whereclause)
    drop = sa.delete(_STORED).where(_STORED.c.transaction_id.in_(matched))
    if multiparams:
        connection.execute(drop, list(multiparams))
    else:
        connection.execute(drop, params or {})


sa.event.listen(sa.Engine, "before_execute", _drop_stored_json)


# -- the request's data connection, its unit of work, the kept grant row --------------------

def connection() -> sa.Connection:
    """This request's autocommitting Core connection for data reads and the read path's
    writes: checked out on first use, returned to the pool when the app context ends."""
    current = g.get("data_connection")
    if current is None:
        current = g.data_connection = current_app.extensions[DATA_ENGINE].connect()
    return current


def write_with_commit(statement: Prepared, values: dict) -> None:
    """Have :func:`commit` insert a row through the prepared INSERT ``statement`` once the
    view has returned (an access-log entry), unless the view raises."""
    g.setdefault("rows_to_write", []).append((statement, values))


def commit(response: Response) -> Response:
    """Insert the rows the view queued (``after_request``), each one statement that
    autocommits, before the answer leaves."""
    rows = g.pop("rows_to_write", None)
    if rows:
        current = connection()
        for statement, values in rows:
            statement.execute(current, values)
    return response


def abandon() -> None:
    """Drop the rows the view queued: it raised, so it read nothing."""
    g.pop("rows_to_write", None)


def close_connection(_error: BaseException | None = None) -> None:
    """Return the request's data connection to the pool (``teardown_appcontext``), rolling
    back anything uncommitted."""
    current = g.pop("data_connection", None)
    if current is not None:
        current.close()


def keep_grant_row(token: str, row: tuple | None) -> None:
    """Keep the bearer token's :func:`~sandbox.services.tokens.grant_query` row (None: no
    such token), fetched early in the request, for this request's authorization."""
    g.grant_row = (token, row)


def forget_grant_row() -> None:
    """Drop a kept grant row (the request waited; authorization reads afresh)."""
    g.pop("grant_row", None)


def kept_grant_row(token: str) -> tuple[bool, tuple | None]:
    """Whether a grant row of ``token`` was kept, and the row; the row is used once."""
    kept = g.pop("grant_row", None)
    if kept is None or kept[0] != token:
        return False, None
    return True, kept[1]

