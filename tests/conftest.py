"""Shared fixtures: a small seeded world, copied into a fresh database per test module.

The engine is SQLite unless ``SANDBOX_TEST_POSTGRES`` names a PostgreSQL maintenance database
(``make test-postgres`` sets it through ``tests.pgcluster``): then the template is a seeded
PostgreSQL database and every copy a database cloned from it. Tests that can run on one
engine only carry ``@pytest.mark.sqlite_only(reason)`` or ``@pytest.mark.postgres_only(reason)``.
"""
from __future__ import annotations

import inspect
import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sandbox import create_app
from sandbox.extensions import db
from tests import pgcluster

#: The world most tests run against: small, fixed, and quick to seed.
TEST_SEED = 42
TEST_CUSTOMERS = 2
TEST_MONTHS = 3
TEST_AS_OF = date(2026, 3, 1)

#: The URL of the PostgreSQL maintenance database the suite runs on, or None for SQLite.
POSTGRES = os.environ.get(pgcluster.ENV) or None
ENGINE = "postgres" if POSTGRES else "sqlite"
_names = itertools.count(1)


def database_url(path) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite:///{path}"


def _postgres(statement: str) -> None:
    """Run ``statement`` (CREATE/DROP DATABASE) on the maintenance database."""
    engine = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


def _postgres_url(name: str) -> str:
    return sa.engine.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(folder: Path, template: str | None = None) -> Iterator[str]:
    """A new database on the run's engine, empty or a copy of ``template`` (a URL from
    ``world_template``); yields its URL and removes it when the block ends. On SQLite it is
    ``folder``/sandbox.db."""
    if not POSTGRES:
        path = Path(folder) / "sandbox.db"
        if template:
            shutil.copyfile(sa.engine.make_url(template).database, path)
        yield database_url(path)
        return
    name = f"sandbank_{os.getpid()}_{next(_names)}"
    source = f" TEMPLATE {sa.engine.make_url(template).database}" if template else ""
    _postgres(f"CREATE DATABASE {name}{source}")
    try:
        yield _postgres_url(name)
    finally:
        _postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


#: What a test (or a fixture it uses) calls when it starts a server process.
LAUNCHERS = ("sandbox_serve(", "running(")


def _starts_a_server(item) -> bool:
    functions = [getattr(item, "function", None)] + [
        definition.func for definitions in item._fixtureinfo.name2fixturedefs.values()
        for definition in definitions]
    for function in functions:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if any(launcher in source for launcher in LAUNCHERS):
            return True
    return False


def pytest_collection_modifyitems(items):
    """Mark ``live`` every test that starts a server process (itself or through a fixture,
    ``live_server`` included) or runs against a built image."""
    for item in items:
        if item.get_closest_marker("image") or _starts_a_server(item):
            item.add_marker(pytest.mark.live)


def pytest_runtest_setup(item):
    """Skip a test marked for the other engine, with the marker's reason."""
    other = "postgres_only" if ENGINE == "sqlite" else "sqlite_only"
    marker = item.get_closest_marker(other)
    if marker is not None:
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else other)
        pytest.skip(f"{other.replace('_', ' ')}: {reason}")


@pytest.fixture(scope="session")
def world_template(tmp_path_factory) -> Iterator[str]:
    """The URL of a seeded database made once per session; modules work on copies of it
    (``fresh_database(folder, world_template)``)."""
    from sandbox.services.seeding import seed_world

    with fresh_database(tmp_path_factory.mktemp("template")) as url:
        template = create_app({"SQLALCHEMY_DATABASE_URI": url,
                               "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
        with template.app_context():
            seed_world(seed=TEST_SEED, customers=TEST_CUSTOMERS, months=TEST_MONTHS,
                       as_of=TEST_AS_OF, fresh=True)
            if not POSTGRES:
                db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.remove()
            db.engine.dispose()
        yield url


@pytest.fixture(scope="module")
def app(world_template, tmp_path_factory):
    """The application over a private copy of the seeded test world."""
    with fresh_database(tmp_path_factory.mktemp("db"), world_template) as url:
        application = create_app({"SQLALCHEMY_DATABASE_URI": url,
                                  "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
        yield application
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner():
    """A click runner for the ``sandbox`` command."""
    return CliRunner()


@pytest.fixture(scope="module")
def live_server(app, tmp_path_factory):
    """``sandbox serve`` under gunicorn with 2 workers, on a free loopback port, over the
    module's database. Yields the base URL."""
    from sandbox.testing.server import sandbox_serve

    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("serve"),
                       env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}) as base:
        yield base
