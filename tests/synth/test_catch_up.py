"""Catching up to a later instant equals seeding at that instant (within the month)."""
from __future__ import annotations

import io
from datetime import date

import pytest

from sandbox import clock, create_app
from sandbox.extensions import db
from sandbox.services.export import export_world
from sandbox.services.seeding import seed_world
from sandbox.services.world import catch_up

EARLIER, LATER = date(2026, 3, 3), date(2026, 3, 8)


def world_app(path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})


def exported() -> str:
    out = io.StringIO()
    export_world(db.session, out, now=clock.now())
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_later(tmp_path_factory) -> str:
    app = world_app(tmp_path_factory.mktemp("later") / "world.db")
    with app.app_context():
        seed_world(db.session, seed=5, customers=1, months=1, as_of=LATER, fresh=True)
        text = exported()
        db.engine.dispose()
    return text


def test_catching_up_five_days_equals_seeding_five_days_later(tmp_path, seeded_later):
    app = world_app(tmp_path / "world.db")
    with app.app_context():
        seed_world(db.session, seed=5, customers=1, months=1, as_of=EARLIER, fresh=True)
        clock.write(db.session, clock.as_of_instant(LATER), frozen=True)
        db.session.commit()

        report = catch_up(db.session, clock.now())
        after = exported()
        again = catch_up(db.session, clock.now())
        db.engine.dispose()

    assert report["transactions"] > 0 and report["posted"] > 0
    assert after == seeded_later
    assert again["transactions"] == again["posted"] == 0
