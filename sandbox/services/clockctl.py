"""Moving the sandbox clock: ISO 8601 durations, forward only, and the world catching up."""
from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Account, Transaction, WorldState

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


#: The longest single move of the clock, in months of 31 days: every day passed is generated.
MAX_MOVE_MONTHS = 120
MAX_MOVE = timedelta(days=31 * MAX_MOVE_MONTHS)


class ClockError(ValueError):
    """The requested move is not allowed (backwards, or no seeded world)."""


class MoveTooLong(ValueError):
    """The requested move is longer than :data:`MAX_MOVE` (ten years)."""


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration: calendar months (years are 12 of them) plus an exact span."""

    months: int
    span: timedelta

    def after(self, instant: datetime) -> datetime:
        """``instant`` moved forward by this duration (month ends clamp: Jan 31 + P1M = Feb 28);
        ValueError beyond the calendar (year 9999)."""
        try:
            return _add_months(instant, self.months) + self.span
        except OverflowError:
            raise ValueError("the duration reaches beyond the calendar") from None

    def before(self, instant: datetime) -> datetime:
        """``instant`` moved back by this duration; ValueError before year 1."""
        try:
            return _add_months(instant - self.span, -self.months)
        except OverflowError:
            raise ValueError("the duration reaches beyond the calendar") from None



def _add_months(instant: datetime, months: int) -> datetime:
    if not months:
        return instant
    index = instant.year * 12 + instant.month - 1 + months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def parse_duration(text: str) -> Duration:
    """Parse ``P3D``, ``PT2H``, ``P1DT12H30M``, ``P2W``, ``P1M``, ``PT90S``..."""
    match = _DURATION.match(text.strip().upper())
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P3D, PT2H or P1M")
    parts = {key: value for key, value in match.groupdict().items() if value}
    months = int(parts.get("years", 0)) * 12 + int(parts.get("months", 0))
    try:
        span = timedelta(weeks=int(parts.get("weeks", 0)), days=int(parts.get("days", 0)),
                         hours=int(parts.get("hours", 0)), minutes=int(parts.get("minutes", 0)),
                         seconds=float(parts.get("seconds", 0)))
    except OverflowError:
        raise ValueError(f"{text!r} is longer than any calendar") from None
    return Duration(months, span)


def parse_move(text: str) -> Duration:
    """A duration to move the clock by: at most ten years (``P10Y``)."""
    duration = parse_duration(text)
    if (duration.months > MAX_MOVE_MONTHS
            or duration.span > MAX_MOVE - timedelta(days=31 * duration.months)):
        raise MoveTooLong(f"the clock moves at most ten years (P10Y) at a time, not {text!r}")
    return duration


def state() -> dict:
    """``{"now", "frozen"}`` of the shared clock."""
    now, frozen = clock.read()
    return {"now": now, "frozen": frozen}


def move(*, advance: str | None = None, to: datetime | None = None,
         freeze: bool | None = None) -> dict:
    """Move the clock forward (by ``advance`` or to ``to``), optionally (un)freezing it,
    then generate the world up to the new instant. Answers the new clock state.

    Raises ``ClockError`` when the move would go backwards or the world is not seeded,
    ``MoveTooLong`` beyond ten years.
    """
    now, frozen = clock.read()
    target = now
    if advance is not None:
        target = parse_move(advance).after(now)
    elif to is not None:
        target = to
    if target < now:
        raise ClockError(f"the sandbox clock only moves forward: it is {_iso(now)}, "
                         f"{_iso(target)} is in its past")
    if target - now > MAX_MOVE:
        raise MoveTooLong(f"the clock moves at most ten years (P10Y) at a time: "
                          f"{_iso(target)} is further from {_iso(now)}")
    try:
        clock.write(target, frozen if freeze is None else freeze)
    except LookupError as error:
        raise ClockError(str(error)) from None
    db.session.commit()
    if target > now:
        from sandbox.services.world import catch_up

        catch_up(target)
        db.session.commit()
    return state()


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


#: How often (wall seconds) each process looks whether a running clock has left the world behind.
KEEP_UP_INTERVAL = 60.0
_next_look = 0.0


def keep_up() -> None:
    """While the clock runs, catch the world up once a new sandbox day has begun (or pending
    rows have come due). Looks at most once a minute per process; frozen clocks move only
    through :func:`move`, which catches up itself."""
    global _next_look
    wall = time.monotonic()
    if wall < _next_look:
        return
    _next_look = wall + KEEP_UP_INTERVAL
    state = db.session.get(WorldState, 1)
    if state is None or state.clock_frozen_at is not None:
        return
    now, _ = clock.read()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    behind = db.session.scalar(sa.select(sa.func.min(Account.generated_through)).where(
        Account.generated_through.is_not(None)))
    due = db.session.scalar(sa.select(Transaction.id).where(
        Transaction.status == "pending", Transaction.posts_at <= now).limit(1))
    from sandbox.services.world import catch_up, post_due

    if behind is not None and behind < midnight:
        catch_up(now)
    elif due is not None:
        post_due(now)
        db.session.commit()
