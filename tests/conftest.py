"""Shared fixtures: a small seeded world, copied into a fresh database per test module."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from sandbox import create_app
from sandbox.extensions import db

#: The world most tests run against: small, fixed, and quick to seed.
TEST_SEED = 42
TEST_CUSTOMERS = 2
TEST_MONTHS = 3
TEST_AS_OF = date(2026, 3, 1)


def database_url(path) -> str:
    """A SQLAlchemy URL for a SQLite file."""
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """A seeded SQLite file made once per session; modules work on copies of it."""
    from sandbox.services.seeding import seed_world

    path = tmp_path_factory.mktemp("template") / "world.db"
    template = create_app({"SQLALCHEMY_DATABASE_URI": database_url(path),
                           "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
    with template.app_context():
        seed_world(seed=TEST_SEED, customers=TEST_CUSTOMERS, months=TEST_MONTHS,
                   as_of=TEST_AS_OF, fresh=True)
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(scope="module")
def app(world_template, tmp_path_factory):
    """The application over a private copy of the seeded test world."""
    path = tmp_path_factory.mktemp("db") / "sandbox.db"
    shutil.copyfile(world_template, path)
    application = create_app({"SQLALCHEMY_DATABASE_URI": database_url(path),
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
    from tests.livecheck import sandbox_serve

    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("serve"),
                       env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}) as base:
        yield base
