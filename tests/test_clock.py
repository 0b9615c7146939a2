"""The sandbox clock: frozen, offset from the wall clock, or the wall clock; one reading per
request."""
from datetime import date, datetime, timedelta, timezone

import pytest

from sandbox import clock, create_app, database
from sandbox.errors import Conflict
from sandbox.extensions import db
from sandbox.models import WorldState

UTC = timezone.utc
FROZEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def clock_app(tmp_path_factory):
    """An app over an empty schema (no world_state row until a test adds one)."""
    path = tmp_path_factory.mktemp("clock") / "clock.db"
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with application.app_context():
        database.create_schema(db.engine)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(clock_app):
    """An app context whose world_state table is emptied afterwards."""
    with clock_app.app_context():
        yield clock_app
        db.session.rollback()
        db.session.query(WorldState).delete()
        db.session.commit()


def set_state(frozen_at=None, offset_seconds=0.0):
    db.session.add(WorldState(id=1, seed=42, customers=0, history_months=1, seeded_at=FROZEN,
                              clock_frozen_at=frozen_at, clock_offset_seconds=offset_seconds))
    db.session.commit()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", FROZEN),
        ("2026-03-01T12:00:00+00:00", FROZEN),
        ("2026-03-01T07:00:00-05:00", FROZEN),
        ("2026-03-01T12:00:00", FROZEN),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_parse_instant_always_answers_utc(text, expected):
    parsed = clock.parse_instant(text)

    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_parse_instant_refuses_garbage():
    with pytest.raises(ValueError):
        clock.parse_instant("next tuesday")


@pytest.mark.parametrize(("instant", "text"), [
    (datetime(2026, 3, 1, 14, 3, tzinfo=timezone.utc), "2026-03-01T14:03:00Z"),
    (datetime(2026, 3, 1, 14, 3, 59, 999_999, tzinfo=timezone.utc), "2026-03-01T14:03:59Z"),
    (datetime(2026, 3, 1, 9, 3, tzinfo=timezone(timedelta(hours=-5))), "2026-03-01T14:03:00Z"),
    (datetime(2026, 3, 1, 14, 3), "2026-03-01T14:03:00Z"),
])
def test_instants_are_written_in_utc_to_the_second(instant, text):
    assert clock.iso(instant) == text


def test_as_of_freezes_at_noon_utc():
    assert clock.as_of_instant(date(2026, 3, 1)) == FROZEN


def test_frozen_world_state_is_the_time(ctx):
    set_state(frozen_at=FROZEN)

    assert clock.read(db.session) == (FROZEN, True)
    assert clock.today() == date(2026, 3, 1)


def test_offset_is_added_to_the_wall_clock(ctx):
    set_state(offset_seconds=3 * 86400)

    before = clock.wall_now()
    value, frozen = clock.read(db.session)
    after = clock.wall_now()

    assert frozen is False
    assert before + timedelta(days=3) <= value <= after + timedelta(days=3)


def test_configured_clock_applies_before_seeding(ctx):
    ctx.config["SANDBOX_CLOCK"] = "2026-03-01T12:00:00Z"
    try:
        assert clock.read(db.session, clock.configured_clock()) == (FROZEN, True)
    finally:
        ctx.config["SANDBOX_CLOCK"] = None


def test_unseeded_and_unconfigured_is_the_wall_clock(ctx):
    before = clock.wall_now()
    value, frozen = clock.read(db.session)

    assert frozen is False
    assert before <= value <= clock.wall_now()


def test_one_request_sees_one_instant_until_the_clock_moves(ctx):
    set_state(frozen_at=FROZEN)
    with ctx.test_request_context():
        first = clock.now()
        db.session.get(WorldState, 1).clock_frozen_at = FROZEN + timedelta(days=1)
        db.session.commit()

        assert clock.now() == first
        clock.forget()
        assert clock.now() == FROZEN + timedelta(days=1)


def test_moving_a_frozen_clock_freezes_it_at_the_new_instant(ctx):
    set_state(frozen_at=FROZEN)

    clock.write(db.session, FROZEN + timedelta(days=3), frozen=True)
    db.session.commit()

    assert clock.read(db.session) == (FROZEN + timedelta(days=3), True)


def test_unfreezing_keeps_time_running_from_the_new_instant(ctx):
    set_state(frozen_at=FROZEN)
    target = clock.wall_now() + timedelta(days=10)

    clock.write(db.session, target, frozen=False)
    db.session.commit()
    value, frozen = clock.read(db.session)

    assert frozen is False
    assert target <= value < target + timedelta(minutes=1)


def test_there_is_no_clock_to_move_before_seeding(ctx):
    with pytest.raises(Conflict, match="not seeded"):
        clock.write(db.session, FROZEN, frozen=True)
