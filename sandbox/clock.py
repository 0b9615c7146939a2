"""The sandbox clock (DESIGN.md §5): wall clock plus an offset, or frozen at an instant.

Its state lives in the ``world_state`` row so every worker and host agrees on the time.
Within a request the reading is taken once and reused, so one request sees one instant.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, g, has_app_context

from sandbox.extensions import db

UTC = timezone.utc


def wall_now() -> datetime:
    """The real time, UTC, to the microsecond."""
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant (``Z`` or offset; a bare date means 00:00 UTC)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_of_instant(day: date) -> datetime:
    """The instant a world seeded ``--as-of DAY`` is frozen at: noon UTC of that day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _configured_frozen() -> datetime | None:
    raw = current_app.config.get("SANDBOX_CLOCK") if has_app_context() else None
    return parse_instant(raw) if raw else None


def read() -> tuple[datetime, bool]:
    """Return ``(now, frozen)`` from the shared clock state, bypassing the request cache."""
    from sandbox.models.world import WorldState

    state = db.session.get(WorldState, 1)
    if state is None:
        frozen = _configured_frozen()
        return (frozen, True) if frozen else (wall_now(), False)
    if state.clock_frozen_at is not None:
        return state.clock_frozen_at, True
    return wall_now() + timedelta(seconds=state.clock_offset_seconds), False


def adopt(frozen_at: datetime | None, offset_seconds: float | None) -> datetime:
    """Take this request's instant from ``world_state`` clock columns the caller has already
    fetched in its own query (hot paths save a round trip); an earlier reading wins."""
    if has_app_context() and "sandbox_now" in g:
        return g.sandbox_now
    if frozen_at is not None:
        value = frozen_at
    else:
        value = wall_now() + timedelta(seconds=offset_seconds or 0.0)
    if has_app_context():
        g.sandbox_now = value
    return value


def now() -> datetime:
    """The sandbox's current instant (UTC); constant within one request."""
    if has_app_context() and "sandbox_now" in g:
        return g.sandbox_now
    value, _ = read()
    if has_app_context():
        g.sandbox_now = value
    return value


def today() -> date:
    """The sandbox's current day (UTC)."""
    return now().date()


def forget() -> None:
    """Drop the cached reading, after the clock has been moved."""
    if has_app_context():
        g.pop("sandbox_now", None)


def write(instant: datetime, frozen: bool) -> None:
    """Move the shared clock to ``instant``: frozen there, or running on from it.

    Needs the ``world_state`` row (a seeded world); the caller commits.
    """
    from sandbox.models.world import WorldState

    state = db.session.get(WorldState, 1)
    if state is None:
        raise LookupError("the world is not seeded: there is no clock to move")
    if frozen:
        state.clock_frozen_at = instant
        state.clock_offset_seconds = 0.0
    else:
        state.clock_frozen_at = None
        state.clock_offset_seconds = (instant - wall_now()).total_seconds()
    forget()
