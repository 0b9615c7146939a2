"""Durations, the two ways the sandbox writes them: ISO 8601 (``P3D``, ``PT2H``, ``P1M``) for
moving the clock and for scenario times relative to it, and the fault syntax's short spans
(``750ms``, ``2s``) for latencies and holds. One module, one parser per notation."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_ISO = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_SPAN = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s)?$")


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
    """Parse an ISO 8601 duration: ``P3D``, ``PT2H``, ``P1DT12H30M``, ``P2W``, ``P1M``,
    ``PT90S``...; ValueError otherwise."""
    match = _ISO.match(text.strip().upper())
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


def parse_seconds(text: str) -> float:
    """Parse a short span, ``750ms``, ``2s``, ``1.5s`` or a bare number of milliseconds,
    into seconds; ValueError otherwise."""
    match = _SPAN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration such as 750ms or 2s")
    number = float(match["number"])
    return number if match["unit"] == "s" else number / 1000
