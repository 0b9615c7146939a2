"""Fast resets: snapshots of freshly seeded worlds, restored without seeding again.

A snapshot is keyed by the world's parameters (seed, customers, months, as-of day) and by a
fingerprint of what generates the world (fixtures, generator sources, table layout), so a
changed generator never restores a stale world. Where a snapshot lives depends on the engine
(:class:`SnapshotStore`): on SQLite a database file in the snapshot folder, written into the
live file with SQLite's backup API; on PostgreSQL a schema of the live database, copied into
the live tables in one transaction. Either way a reset brings back the world
(:data:`RESTORED`), empties what QA and clients did to it, and keeps what developers stored
(:data:`KEPT`); other connections, in every worker and on every server, stay valid and see the
old world or the new one.

A reset replaces the database, as seeding does: it is a job of its own that commits (in the
live database's own transactions), never part of a request's unit of work. It is given what
it needs (:class:`SnapshotSettings`, from the app's settings by the caller).
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Bank, OAuthClient, WorldOrigin, WorldState
from sandbox.synth.store import constraints_deferred

#: Sources whose change makes every snapshot stale.
_GENERATOR_SOURCES = ("synth", "services/seeding.py", "services/world.py", "faults/seeding.py",
                      "catalog.py")

#: Tables a reset copies from the snapshot: the world as seeding writes it (banks, their demo
#: clients, merchants, customers and their data, the clock and the world's origin).
RESTORED = ("banks", "merchants", "customers", "accounts", "transactions", "receipts",
            "shipments", "oauth_clients", "world_state", "world_origin")
#: What developers stored, which a reset keeps (as a restart does): the rows each condition
#: selects, as long as their bank (and, for a subscription, its client) still exists.
KEPT = {
    "oauth_clients": OAuthClient.__table__.c.self_registered.is_(True),  # registered by DCR
    "webhook_subscriptions": None,
    "signing_keys": None,  # the banks' ID token keys: clients cache the JWKS
}
#: Every other table is emptied: consents, codes, tokens, pushed requests, access log,
#: idempotency records, webhook deliveries and attempts, fault rules, maintenance windows,
#: sign-in sessions and throttles, declined authorisations, cached representations.

#: PostgreSQL's SQLSTATE for a transaction cancelled to break a deadlock.
DEADLOCK_DETECTED = "40P01"


@dataclass(frozen=True)
class WorldParams:
    """What a world is seeded from."""

    seed: int
    customers: int
    months: int
    as_of: date | None


@dataclass(frozen=True)
class SnapshotSettings:
    """What resets need from the app's settings."""

    #: Where SQLite snapshots live: ``SANDBOX_SNAPSHOT_DIR``, else ``<instance>/snapshots``.
    folder: Path
    #: ``SANDBOX_CLOCK`` (raw text): the clock of a world seeded without an as-of day.
    clock: str | None
    #: The parameters of a world whose own are unknown (``SANDBOX_SEED``, ...).
    defaults: WorldParams

    @classmethod
    def from_config(cls, config: Mapping, instance_path: str) -> SnapshotSettings:
        """The settings of an app's ``config`` (and its instance folder)."""
        raw_clock = config.get("SANDBOX_CLOCK")
        configured = clock.configured(raw_clock)
        return cls(
            folder=Path(config.get("SANDBOX_SNAPSHOT_DIR")
                        or os.path.join(instance_path, "snapshots")),
            clock=raw_clock,
            defaults=WorldParams(config["SANDBOX_SEED"], config["SANDBOX_CUSTOMERS"],
                                 config["SANDBOX_HISTORY_MONTHS"],
                                 configured.date() if configured else None))


def current_params(session: Session, defaults: WorldParams) -> WorldParams:
    """The parameters the live world was seeded with (``defaults`` where unknown)."""
    try:
        origin = session.get(WorldOrigin, 1)
        state = session.get(WorldState, 1)
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no schema yet
        session.rollback()
        origin = state = None
    if origin is not None:
        return WorldParams(origin.seed, origin.customers, origin.months, origin.as_of)
    if state is not None:
        return WorldParams(state.seed, state.customers, state.history_months, defaults.as_of)
    return defaults


def record_origin(session: Session, params: WorldParams) -> None:
    """Remember how the live world was seeded (the caller commits)."""
    origin = session.get(WorldOrigin, 1) or WorldOrigin(id=1)
    origin.seed, origin.customers = params.seed, params.customers
    origin.months, origin.as_of = params.months, params.as_of
    session.add(origin)


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file of a SQLite database URL, or None for other databases."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


@functools.cache
def fingerprint() -> str:
    """A digest of the fixtures, the world generator's sources and the table layout."""
    from sandbox.catalog import fixtures_root

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    files = sorted(Path(str(fixtures_root())).rglob("*.yaml"))
    for name in _GENERATOR_SOURCES:
        target = package / name
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        digest.update(f"{table.name}({','.join(c.name for c in table.columns)})".encode())
    return digest.hexdigest()[:16]


def snapshot_name(params: WorldParams) -> str:
    """The snapshot's name for ``params`` (worlds without as-of are keyed by today's date)."""
    day = params.as_of.isoformat() if params.as_of else f"live-{clock.wall_now().date()}"
    return f"world-{params.seed}-{params.customers}c-{params.months}m-{day}-{fingerprint()}"


def reset(engine: sa.Engine, params: WorldParams, settings: SnapshotSettings) -> dict:
    """Return the live database of ``engine`` to a freshly seeded world of ``params``,
    keeping what developers stored (:data:`KEPT`). The caller holds no transaction on it.

    Answers ``{"seed", "customers", "months", "as_of", "snapshot", "seconds"}`` where
    ``snapshot`` tells whether a stored snapshot was restored (False: seeded anew first).
    """
    started = time.perf_counter()
    db.metadata.create_all(engine)
    store = snapshot_store(engine, settings)
    reused = store.exists(params)
    if not reused:
        store.build(params)
    store.restore(params)
    return {"seed": params.seed, "customers": params.customers, "months": params.months,
            "as_of": params.as_of, "snapshot": reused,
            "seconds": round(time.perf_counter() - started, 3)}


def snapshot_store(engine: sa.Engine, settings: SnapshotSettings) -> SnapshotStore:
    """The snapshot store of the live database's engine."""
    live = sqlite_path(engine.url)
    return (FileSnapshots(engine, live, settings) if live is not None
            else SchemaSnapshots(engine, settings))


def _seed_elsewhere(params: WorldParams, settings: SnapshotSettings, database_url: str,
                    engine_options: dict | None = None) -> None:
    """Seed a world of ``params`` into another database (or schema): an engine and a unit of
    work of its own, committed when the world is complete."""
    from sandbox.services.seeding import seed_world

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool,
                              **(engine_options or {}))
    try:
        with Session(engine) as session, session.begin():
            seed_world(session, seed=params.seed, customers=params.customers,
                       months=params.months, as_of=params.as_of, fresh=True,
                       configured_clock=clock.configured(settings.clock))
            record_origin(session, params)
    finally:
        engine.dispose()


class SnapshotStore(Protocol):
    """Where snapshots live: :meth:`exists`, :meth:`build` and :meth:`restore` by params."""

    def exists(self, params: WorldParams) -> bool:
        """True when the snapshot of ``params`` is stored."""

    def build(self, params: WorldParams) -> None:
        """Seed a world of ``params`` and store it as its snapshot."""

    def restore(self, params: WorldParams) -> None:
        """Make the snapshot of ``params`` the live world, with the :data:`KEPT` rows."""


class FileSnapshots(SnapshotStore):
    """SQLite: a snapshot is a database file. Restoring copies it, adds the kept rows to the
    copy, and writes the copy into the live database with SQLite's backup API (the live
    file's own connections see the new world at their next transaction)."""

    def __init__(self, engine: sa.Engine, live: Path, settings: SnapshotSettings):
        self.engine = engine
        self.live = live
        self.settings = settings

    def path(self, params: WorldParams) -> Path:
        """The snapshot file of ``params``."""
        return self.settings.folder / f"{snapshot_name(params)}.db"

    def exists(self, params: WorldParams) -> bool:
        return self.path(params).exists()

    def build(self, params: WorldParams) -> None:
        path = self.path(params)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = _scratch(path)
        try:
            _seed_elsewhere(params, self.settings, f"sqlite:///{scratch}")
            _to_rollback_journal(scratch)
            os.replace(scratch, path)
        finally:
            _remove(scratch)

    def restore(self, params: WorldParams) -> None:
        from sandbox.database import SQLITE_BUSY_TIMEOUT_MS

        scratch = _scratch(self.path(params))
        shutil.copyfile(self.path(params), scratch)
        engine = sa.create_engine(f"sqlite:///{scratch}", poolclass=sa.pool.NullPool)
        try:
            with self.engine.connect() as live:
                kept = _kept_rows(live)
            with engine.begin() as copy:
                _put_back(copy, kept)
            engine.dispose()
            with closing(sqlite3.connect(scratch)) as source, \
                    closing(sqlite3.connect(self.live,
                                            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as target:
                source.backup(target)
        finally:
            engine.dispose()
            _remove(scratch)


def _scratch(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _remove(database: Path) -> None:
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)


def _to_rollback_journal(path: Path) -> None:
    """Fold the WAL into the file and leave it in rollback-journal mode (one file to copy)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


class SchemaSnapshots(SnapshotStore):
    """PostgreSQL: a snapshot is a schema of the live database, seeded by an engine whose
    ``search_path`` points at it; restoring copies its tables with ``INSERT ... SELECT``."""

    PREFIX = "sandbank_snapshot_"
    #: Restores tried before a deadlock is reported.
    ATTEMPTS = 3

    def __init__(self, engine: sa.Engine, settings: SnapshotSettings):
        self.engine = engine
        self.settings = settings

    def schema(self, params: WorldParams) -> str:
        """The snapshot schema of ``params`` (a name PostgreSQL accepts: 63 bytes at most)."""
        return self.PREFIX + hashlib.sha256(snapshot_name(params).encode()).hexdigest()[:24]

    def exists(self, params: WorldParams) -> bool:
        return self.schema(params) in sa.inspect(self.engine).get_schema_names()

    def build(self, params: WorldParams) -> None:
        final = self.schema(params)
        scratch = f"{final}_{os.getpid()}"
        quote = self.engine.dialect.identifier_preparer.quote_identifier
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quote(scratch)} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {quote(scratch)}")
        try:
            url = self.engine.url.render_as_string(hide_password=False)
            _seed_elsewhere(params, self.settings, url, {
                "connect_args": {"options": f"-csearch_path={scratch}"}})
            try:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql(
                        f"ALTER SCHEMA {quote(scratch)} RENAME TO {quote(final)}")
            except sa.exc.ProgrammingError:  # another server stored the same world meanwhile
                if not self.exists(params):
                    raise
        finally:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quote(scratch)} CASCADE")

    def restore(self, params: WorldParams) -> None:
        """One transaction: lock every table (so no row stored meanwhile is lost), read the
        kept rows, TRUNCATE, copy the :data:`RESTORED` tables from the snapshot schema
        (parents first; the big tables' indexes and foreign keys built after), put the kept
        rows back."""
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                self._restore(self.schema(params))
                return
            except sa.exc.OperationalError as error:
                # A request holding one table while waiting for another the reset already
                # locked is a deadlock PostgreSQL resolves by cancelling one side: if that
                # is the reset, it takes its turn again.
                if attempt == self.ATTEMPTS or _sqlstate(error) != DEADLOCK_DETECTED:
                    raise

    def _restore(self, schema: str) -> None:
        tables = db.metadata.sorted_tables
        names = ", ".join(self.engine.dialect.identifier_preparer.format_table(table)
                          for table in tables)
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            kept = _kept_rows(connection)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            with constraints_deferred(connection):
                for table in tables:
                    if table.name in RESTORED:
                        columns = _copied_columns(table)
                        source = sa.table(table.name, *map(sa.column, columns),
                                          schema=schema)
                        connection.execute(
                            sa.insert(table).from_select(columns, sa.select(*source.c)))
            _put_back(connection, kept)


def _sqlstate(error: sa.exc.DBAPIError) -> str | None:
    """The SQLSTATE of a driver error (psycopg 3: ``sqlstate``; psycopg2: ``pgcode``)."""
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


def _kept_rows(connection: sa.Connection) -> dict[str, list[dict]]:
    """The :data:`KEPT` rows of the live database, per table."""
    kept = {}
    for name, condition in KEPT.items():
        table = db.metadata.tables[name]
        query = sa.select(table) if condition is None else sa.select(table).where(condition)
        kept[name] = [dict(row) for row in connection.execute(query).mappings()]
    return kept


def _put_back(connection: sa.Connection, kept: dict[str, list[dict]]) -> None:
    """Insert the ``kept`` rows into a restored world, those whose bank (and client) exist in
    it. Autoincrement ids are surrogates: the rows take new ones."""
    banks = set(connection.scalars(sa.select(Bank.id)))
    clients = set(connection.execute(sa.select(OAuthClient.bank_id, OAuthClient.client_id)))
    for table in db.metadata.sorted_tables:
        rows = [row for row in kept.get(table.name, ()) if row["bank_id"] in banks]
        if table.name == OAuthClient.__tablename__:
            clients.update((row["bank_id"], row["client_id"]) for row in rows)
        elif "client_id" in table.c:
            rows = [row for row in rows if (row["bank_id"], row["client_id"]) in clients]
        if rows:
            columns = _copied_columns(table)
            connection.execute(sa.insert(table),
                               [{name: row[name] for name in columns} for row in rows])


def _copied_columns(table: sa.Table) -> list[str]:
    return [column.name for column in table.columns if column is not table.autoincrement_column]
