"""The sandbox clock (DESIGN.md §5): wall clock plus an offset, or frozen at an instant.

Its state lives in the ``world_state`` row so every worker and host agrees on the time.
:func:`read` and :func:`write` work on the session they are given (services, the CLI, the
worker); :func:`now` is the request's reading for views, taken once and reused, so one
request sees one instant.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, g, has_app_context
from sqlalchemy.orm import Session

from sandbox.errors import Conflict

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


def iso(instant: datetime) -> str:
    """``instant`` as the API writes instants (DESIGN.md §5): UTC to the second,
    ``2026-03-01T14:03:00Z``; a naive instant is taken as UTC."""
    if instant.utcoffset():
        instant = instant.astimezone(UTC)
    return instant.isoformat(timespec="seconds")[:19] + "Z"


def as_of_instant(day: date) -> datetime:
    """The instant a world seeded ``--as-of DAY`` is frozen at: noon UTC of that day."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def configured(raw: str | None) -> datetime | None:
    """The instant the ``SANDBOX_CLOCK`` setting freezes an unseeded clock at, or None."""
    return parse_instant(raw) if raw else None


def read(session: Session, configured: datetime | None = None) -> tuple[datetime, bool]:
    """``(now, frozen)`` from the shared clock state. Without a seeded world the clock is
    ``configured`` (frozen) when given, else the wall clock (running)."""
    from sandbox.models.world import WorldState

    state = session.get(WorldState, 1)
    if state is None:
        return (configured, True) if configured else (wall_now(), False)
    if state.clock_frozen_at is not None:
        return state.clock_frozen_at, True
    return wall_now() + timedelta(seconds=state.clock_offset_seconds), False


def write(session: Session, instant: datetime, frozen: bool) -> None:
    """Move the shared clock to ``instant``: frozen there, or running on from it. Raises
    :class:`~sandbox.errors.Conflict` without a seeded world (no clock to move)."""
    from sandbox.models.world import WorldState

    state = session.get(WorldState, 1)
    if state is None:
        raise Conflict("the world is not seeded: there is no clock to move")
    if frozen:
        state.clock_frozen_at = instant
        state.clock_offset_seconds = 0.0
    else:
        state.clock_frozen_at = None
        state.clock_offset_seconds = (instant - wall_now()).total_seconds()


# -- the request's reading (views) -------------------------------------------------------


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
    """The sandbox's current instant (UTC) for a view or a CLI command: read with the app's
    session and ``SANDBOX_CLOCK``; constant within one request."""
    if has_app_context() and "sandbox_now" in g:
        return g.sandbox_now
    from sandbox.extensions import db

    value, _ = read(db.session, configured_clock())
    if has_app_context():
        g.sandbox_now = value
    return value


def configured_clock() -> datetime | None:
    """The app's ``SANDBOX_CLOCK`` setting as an instant (None without an app or setting)."""
    return configured(current_app.config.get("SANDBOX_CLOCK")) if has_app_context() else None


def today() -> date:
    """The sandbox's current day (UTC)."""
    return now().date()


def forget() -> None:
    """Drop the request's cached reading, after the clock has been moved or the world reset."""
    if has_app_context():
        g.pop("sandbox_now", None)
