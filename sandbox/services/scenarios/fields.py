"""Fields of the scenario document: instants and days absolute or relative to the sandbox
clock (``now``, ``now-P3D``, ``now+PT2H``; ``today``, ``today-P1M``), and amounts.

Relative times are read against the instant the loader sets (:func:`reading_at`); a schema
loaded without one (a control-plane view parsing its arguments, a CLI command) reads the
clock of the request or command.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from marshmallow import fields

from sandbox import clock
from sandbox.durations import parse_duration

_now: ContextVar[datetime | None] = ContextVar("scenario_now", default=None)


@contextmanager
def reading_at(now: datetime) -> Iterator[None]:
    """Within the block, relative times (``now``, ``today``) are read against ``now``."""
    token = _now.set(now)
    try:
        yield
    finally:
        _now.reset(token)


def _current() -> datetime:
    now = _now.get()
    return clock.now() if now is None else now


def _relative(text: str) -> tuple[str, str | None, str | None]:
    """Split ``now-P3D`` into ``("now", "-", "P3D")``."""
    for anchor in ("now", "today"):
        if text == anchor:
            return anchor, None, None
        if text.startswith(anchor) and text[len(anchor):len(anchor) + 1] in "+-":
            return anchor, text[len(anchor)], text[len(anchor) + 1:]
    return "", None, None


def _shift(instant: datetime, sign: str | None, duration: str | None) -> datetime:
    if sign is None:
        return instant
    span = parse_duration(duration)
    return span.after(instant) if sign == "+" else span.before(instant)


class _Text(fields.Field):
    """A field documented as a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("type", "string")
        super().__init__(**kwargs)


class _Time(_Text):
    """A time written absolutely (``_absolute``, defined by each kind), or relative to the
    sandbox clock: ``anchor[±duration]``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        anchor, sign, duration = _relative(text)
        try:
            if anchor:
                return self._settle(_shift(self._anchor(anchor, _current()), sign, duration))
            return self._absolute(text)
        except ValueError:
            raise self.make_error("invalid") from None

    def _anchor(self, anchor: str, now: datetime) -> datetime:
        """The instant ``now`` or ``today`` stands for: noon of today for a day."""
        return clock.as_of_instant(now.date())

    def _settle(self, instant: datetime):
        """The value of a relative time: the instant (a day takes its date)."""
        return instant


class When(_Time):
    """An instant: ISO 8601, or relative to the sandbox clock (``now``, ``now-P3D``)."""

    default_error_messages = {"invalid": "Not an instant: use ISO 8601 "
                                         "(2026-03-01T09:30:00Z) or now, now-P3D, now+PT2H."}

    def _anchor(self, anchor: str, now: datetime) -> datetime:
        return now if anchor == "now" else super()._anchor(anchor, now)

    def _absolute(self, text: str) -> datetime:
        return clock.parse_instant(text)


class Day(_Time):
    """A date: ``YYYY-MM-DD``, or relative to the sandbox clock (``today``, ``today+P2D``)."""

    default_error_messages = {"invalid": "Not a date: use YYYY-MM-DD or today, today+P2D."}

    def _settle(self, instant: datetime) -> date:
        return instant.date()

    def _absolute(self, text: str) -> date:
        return date.fromisoformat(text[:10])


class Money(_Text):
    """An amount with at most two decimal places, as a string (``"-42.17"``) or a number."""

    default_error_messages = {"invalid": "Not an amount: use a decimal string such as \"-42.17\"."}

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not amount.is_finite():
            raise self.make_error("invalid")
        # The range first: quantizing an amount of more than 26 digits overflows Decimal.
        if abs(amount) >= Decimal("1e12"):
            raise ma.ValidationError("Amount out of range.")
        if amount != amount.quantize(Decimal("0.01")):
            raise self.make_error("invalid")
        return amount.quantize(Decimal("0.01"))
