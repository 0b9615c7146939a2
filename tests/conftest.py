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
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sandbox import create_app, database
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


def _postgres_scalar(query: str):
    engine = sa.create_engine(POSTGRES, poolclass=sa.NullPool)
    with engine.connect() as connection:
        value = connection.exec_driver_sql(query).scalar()
    engine.dispose()
    return value


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


#: Tests that take over about 5 seconds (``pytest --durations``, call or setup, on the busy
#: 2-core machine), by file and test name: marked ``slow``.
SLOW = {
    "test_cache.py": {"test_every_served_transaction_is_exactly_its_documented_shape"},
    "test_schemathesis.py": {"test_data_api_conforms_to_its_openapi_document",
                             "test_public_and_consent_operations_conform_to_the_openapi_document"},
    "test_schemathesis_everywhere.py": {"test_no_operation_answers_a_server_error"},
    "test_reset_keeps.py": {"test_reset_keeps_registered_clients_and_webhook_subscriptions"},
    "test_signin_throttle.py": {"test_sandbox_reset_clears_the_counters"},
    "test_export.py": {"test_the_same_world_exports_to_the_same_bytes"},
    "test_seeding.py": {"test_the_clock_setting_freezes_a_world_seeded_without_a_date"},
    "test_catch_up.py": {"test_catching_up_five_days_equals_seeding_five_days_later"},
    "test_determinism.py": {"test_another_seed_gives_another_world",
                            "test_more_customers_leave_the_first_ones_unchanged",
                            "test_same_seed_and_date_export_the_same_bytes"},
    "test_world_invariants.py": {"test_every_invariant_holds"},
    "test_cli_seed.py": {"test_reset_reseeds_quietly_with_one_summary_line"},
    "test_config.py": {"test_everything_written_at_run_time_lands_in_the_instance_dir"},
}

#: Modules with a test that starts a server over the module's database: their tests share
#: one world (a database cannot be put back under a running server).
_LIVE_MODULES: set[str] = set()


def pytest_collection_modifyitems(items):
    """Mark ``live`` every test that starts a server process (itself or through a fixture,
    ``live_server`` included) or runs against a built image; mark ``slow`` those of
    :data:`SLOW`."""
    for item in items:
        if getattr(item, "originalname", item.name) in SLOW.get(item.path.name, ()):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("image") or _starts_a_server(item):
            item.add_marker(pytest.mark.live)
            _LIVE_MODULES.add(item.module.__name__)


class ModuleWorld:
    """The database of a module's ``app``, put back after every test that changed it as it
    was when the module's fixtures had set it up: each test gets its own world, at the cost
    of a copy only after a test that wrote (SQLite's backup API, or a database cloned from a
    template on PostgreSQL)."""

    def __init__(self, app) -> None:
        self.app = app
        self.url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        self.baseline: str | None = None
        self.settled = None
        self.started = None

    def fingerprint(self):
        """What changes when anything is written: the files on SQLite, the WAL position on
        PostgreSQL."""
        if POSTGRES:
            return _postgres_scalar("SELECT pg_current_wal_insert_lsn()")
        found = []
        for suffix in ("", "-wal"):
            try:
                stat = os.stat(self.url.database + suffix)
                found.append((stat.st_size, stat.st_mtime_ns))
            except FileNotFoundError:
                found.append(None)
        return tuple(found)

    def _close(self) -> None:
        with self.app.app_context():
            db.session.remove()
        database.dispose(self.app)

    def _copy(self, source: str, target: str) -> None:
        self._close()
        if POSTGRES:
            _postgres(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
            _postgres(f"CREATE DATABASE {target} TEMPLATE {source}")
            return
        # SQLite's backup API, not a file copy: engines this module's tests made (a CLI
        # command's app) may still hold connections to the file.
        origin, copy = sqlite3.connect(source), sqlite3.connect(target)
        try:
            origin.backup(copy)
        finally:
            origin.close()
            copy.close()

    def before_test(self) -> None:
        """Keep as the baseline what the module's fixtures wrote since the last test."""
        if self.baseline is None or self.fingerprint() != self.settled:
            database = self.url.database
            self.baseline = f"{database}_baseline" if POSTGRES else f"{database}.baseline"
            self._copy(database, self.baseline)
        self.started = self.fingerprint()

    def after_test(self) -> None:
        """Put the baseline back if the test wrote anything."""
        if self.fingerprint() != self.started:
            self._copy(self.baseline, self.url.database)
        self.settled = self.fingerprint()

    def discard(self) -> None:
        """Remove the baseline."""
        if self.baseline is None:
            return
        if POSTGRES:
            _postgres(f"DROP DATABASE IF EXISTS {self.baseline} WITH (FORCE)")
        else:
            Path(self.baseline).unlink(missing_ok=True)


_worlds: dict[int, ModuleWorld] = {}


@pytest.fixture(autouse=True)
def _own_world(request):
    """Every test that uses ``app`` gets the module's world as its fixtures set it up, not as
    an earlier test left it (not in a module that serves its database live)."""
    if "app" not in request.fixturenames or request.module.__name__ in _LIVE_MODULES:
        yield
        return
    app = request.getfixturevalue("app")
    if id(app) not in _worlds:
        for world in _worlds.values():
            world.discard()
        _worlds.clear()
        _worlds[id(app)] = ModuleWorld(app)
    world = _worlds[id(app)]
    world.before_test()
    yield
    world.after_test()


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
            seed_world(db.session, seed=TEST_SEED, customers=TEST_CUSTOMERS, months=TEST_MONTHS,
                       as_of=TEST_AS_OF, fresh=True)
            db.session.commit()
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
        database.dispose(application)


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
