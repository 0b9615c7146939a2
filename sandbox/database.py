"""Engine setup: SQLite in WAL mode with a busy timeout; the schema lifecycle."""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


#: ``app.extensions`` key of the data API's engine (:func:`init_app`).
DATA_ENGINE = "sandbox.data_engine"


def init_app(app: Flask) -> None:
    """Tune engine options for the configured database before Flask-SQLAlchemy builds its
    engine, and build the data API's: the same database and options, with connections that
    always autocommit and are not pinged on check-out (``sandbox.fastpath``: a read that
    finds its connection closed runs again on a fresh one; none is opened until a request
    needs one)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database is not shared between workers: "
                             "use a file (DESIGN.md §6)")
        options.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    else:
        options.setdefault("pool_pre_ping", True)
    app.extensions[DATA_ENGINE] = sa.create_engine(url, isolation_level="AUTOCOMMIT",
                                                   **{**options, "pool_pre_ping": False})


def dispose(app: Flask) -> None:
    """Close the pooled connections of both of ``app``'s engines (before a fork, or when
    done with the database)."""
    from sandbox.extensions import db

    with app.app_context():
        db.engine.dispose()
    app.extensions[DATA_ENGINE].dispose()


def create_schema(bind: sa.Connection | sa.Engine) -> None:
    """Create every table that does not exist yet (in ``bind``'s transaction, if any)."""
    from sandbox import models  # noqa: F401  (registers the tables)
    from sandbox.demo import models as chat_models  # noqa: F401  (the chat's own tables)
    from sandbox.extensions import Base

    Base.metadata.create_all(bind)


#: The statistics target of the ANALYZE after a bulk load: a sample of 3,000 rows a table
#: (PostgreSQL's default, 100, samples 30,000).
LOADED_STATISTICS_TARGET = 10


def refresh_statistics(connection: sa.Connection) -> None:
    """After a bulk load, give PostgreSQL's planner the tables' new sizes (``ANALYZE``), as
    autovacuum would only a minute later: without them a keyset page of transactions reads
    and sorts the whole account. PostgreSQL's ANALYZE counts the rows its own transaction
    inserted, so it runs in the loading transaction. It samples
    :data:`LOADED_STATISTICS_TARGET` x 300 rows a table: sizes and spreads are what the
    data API's plans need, and the default sample took 0.6 s of a 4.9 s seed of the default
    world (``ANALYZE`` in psql, or autovacuum once a tenth of a table changed, samples more).
    SQLite plans from its indexes."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(
            f"SET LOCAL default_statistics_target = {LOADED_STATISTICS_TARGET}"))
        connection.execute(sa.text("ANALYZE"))


def drop_schema(bind: sa.Connection | sa.Engine) -> None:
    """Drop every table of the sandbox (in ``bind``'s transaction, if any)."""
    from sandbox import models  # noqa: F401
    from sandbox.demo import models as chat_models  # noqa: F401
    from sandbox.extensions import Base

    Base.metadata.drop_all(bind)
