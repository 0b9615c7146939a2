"""Hot-path statements run straight on the connection's DB-API cursor.

A :class:`Prepared` statement is compiled once per dialect and bound and read with its own
SQLAlchemy types, exactly as ``Connection.execute`` would, but without the per-execution
bookkeeping (execution context, result object, ``Row`` per row) that dominates a small query.
A dialect that renders some parameters into the SQL text at execution time (post-compile
parameters) runs the statement through ``Connection.execute`` instead. Result processors are
built from the first execution's cursor description, as SQLAlchemy's own result does: some
drivers (psycopg's NUMERIC reader) choose them by the column's database type.
"""
from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler


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
                    {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                     for name, bind in compiled.binds.items()},
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
        columns' result processors."""
        values = plan.compiled.construct_params(params)
        for name, process in plan.binders.items():
            if process is not None:
                values[name] = process(values[name])
        arguments = values if plan.positions is None else [values[n] for n in plan.positions]
        cursor = connection.connection.cursor()
        try:
            cursor.execute(plan.sql, arguments)
            if not fetch:
                return None
            fetched = cursor.fetchall()
            readers = self._readers_for(connection.dialect, cursor.description)
        finally:
            cursor.close()
        if not any(readers):
            return fetched
        return [tuple(value if read is None else read(value) for read, value in zip(readers, row))
                for row in fetched]

    def execute(self, connection: sa.Connection, params: dict) -> None:
        """Run the statement with ``params``. SQLAlchemy may not have seen it: the caller
        commits both ``connection`` and its DB-API connection (``connection.connection``)."""
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
