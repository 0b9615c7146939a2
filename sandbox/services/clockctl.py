"""Moving the sandbox clock: forward only, at most ten years at a time, and the world
catching up before the move is answered."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sandbox import clock
from sandbox.durations import Duration, parse_duration
from sandbox.errors import Conflict, Unprocessable
from sandbox.services.world import catch_up

#: The longest single move of the clock, in months of 31 days: every day passed is generated.
MAX_MOVE_MONTHS = 120
MAX_MOVE = timedelta(days=31 * MAX_MOVE_MONTHS)


class ClockError(Conflict):
    """The requested move is not allowed: backwards, or no seeded world (409)."""


class MoveTooLong(Unprocessable):
    """The requested move is longer than :data:`MAX_MOVE`, ten years (422 on ``set``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="set", location="json")


def parse_move(text: str) -> Duration:
    """A duration to move the clock by: at most ten years (``P10Y``). ValueError when it is
    not a duration, :class:`MoveTooLong` beyond ten years."""
    duration = parse_duration(text)
    if (duration.months > MAX_MOVE_MONTHS
            or duration.span > MAX_MOVE - timedelta(days=31 * duration.months)):
        raise MoveTooLong(f"the clock moves at most ten years (P10Y) at a time, not {text!r}")
    return duration


def state(session: Session, *, configured: datetime | None = None) -> dict:
    """``{"now", "frozen"}`` of the shared clock (``configured``: ``SANDBOX_CLOCK``)."""
    now, frozen = clock.read(session, configured)
    return {"now": now, "frozen": frozen}


def move(session: Session, *, advance: str | None = None, to: datetime | None = None,
         freeze: bool | None = None, configured: datetime | None = None) -> dict:
    """Move the clock forward (by ``advance`` or to ``to``), optionally (un)freezing it,
    then generate the world up to the new instant, in the caller's transaction. Answers the
    new clock state.

    Raises :class:`ClockError` when the move would go backwards or the world is not seeded,
    :class:`MoveTooLong` beyond ten years.
    """
    now, frozen = clock.read(session, configured)
    target = now
    if advance is not None:
        target = parse_move(advance).after(now)
    elif to is not None:
        target = to
    if target < now:
        raise ClockError(f"the sandbox clock only moves forward: it is {clock.iso(now)}, "
                         f"{clock.iso(target)} is in its past")
    if target - now > MAX_MOVE:
        raise MoveTooLong(f"the clock moves at most ten years (P10Y) at a time: "
                          f"{clock.iso(target)} is further from {clock.iso(now)}")
    try:
        clock.write(session, target, frozen if freeze is None else freeze)
    except Conflict as error:
        raise ClockError(error.detail) from None
    if target > now:
        catch_up(session, target)
    return state(session, configured=configured)
