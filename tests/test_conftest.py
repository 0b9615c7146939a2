"""The suite's own fixtures: a test that changes the module's world leaves nothing behind for
the next test (``_own_world`` in tests/conftest.py); the two tests run in this order."""
from __future__ import annotations

import pytest

from sandbox.extensions import db
from sandbox.models import Bank

ORIGINAL: dict[str, str] = {}


@pytest.fixture(scope="module")
def named(app) -> str:
    """A module fixture that writes: what it wrote stays for every test of the module."""
    with app.app_context():
        bank = db.session.get(Bank, "copperleaf")
        bank.name = "Named by a module fixture"
        db.session.commit()
    return "copperleaf"


def test_a_test_that_renames_a_bank(app, named):
    with app.app_context():
        bank = db.session.get(Bank, "juniper")
        ORIGINAL["juniper"] = bank.name
        bank.name = "Renamed by an earlier test"
        db.session.commit()


def test_the_next_test_sees_the_world_as_the_fixtures_left_it(app, named):
    with app.app_context():
        assert db.session.get(Bank, "juniper").name == ORIGINAL["juniper"]
        assert db.session.get(Bank, named).name == "Named by a module fixture"
