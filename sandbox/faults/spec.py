"""The fault syntax shared by the ``X-Sandbox-Fault`` header, persistent rules and error users.

A fault is one or more parts joined by ``,``; a part is a name with an optional ``=value``
and optional ``;key=value`` parameters::

    status=503                      answer 503
    status=429;retry_after=30       answer 429 with Retry-After: 30
    latency=750ms                   answer normally, 750 ms late
    timeout  /  timeout=5s          hold the request (default: the cap), then 504
    drop                            close the connection without an answer
    latency=2s,status=503           combined
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma

from sandbox.durations import parse_seconds
from sandbox.errors import BadRequest

#: Statuses answered with a ``Retry-After`` header when the fault names none.
RETRY_STATUSES = (429, 503)
DEFAULT_RETRY_AFTER = 30


class FaultSyntaxError(BadRequest):
    """The fault text does not follow the documented syntax (400 where it reaches a client
    unhandled; the header, the rules and the error users' fixture report it their own way)."""


@dataclass(frozen=True)
class Fault:
    """What to do to one request. Durations are seconds; ``timeout`` None means no hold."""

    status: int | None = None
    retry_after: int | None = None
    latency: float = 0.0
    timeout: float | None = None
    drop: bool = False

    def merge(self, other: Fault) -> Fault:
        """Combine two faults: latencies add up, the other's status and hold win when set."""
        return Fault(
            status=other.status or self.status,
            retry_after=other.retry_after if other.status else self.retry_after,
            latency=self.latency + other.latency,
            timeout=other.timeout if other.timeout is not None else self.timeout,
            drop=self.drop or other.drop,
        )

    @property
    def holds(self) -> bool:
        """True when the request is kept waiting (a latency or a timeout)."""
        return bool(self.latency) or self.timeout is not None

    def without_holds(self) -> Fault:
        """This fault without its latency and timeout."""
        return Fault(status=self.status, retry_after=self.retry_after, drop=self.drop)

    @property
    def fails(self) -> bool:
        """True when the request does not reach the real handler."""
        return self.drop or self.status is not None or self.timeout is not None


def _seconds(text: str) -> float:
    try:
        return parse_seconds(text)
    except ValueError as error:
        raise FaultSyntaxError(str(error)) from None


def parse(text: str, *, timeout_cap: float) -> Fault:
    """Parse a fault; ``timeout_cap`` bounds every hold and latency (seconds)."""
    fault = Fault()
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise FaultSyntaxError("empty fault: use e.g. status=503, latency=750ms, timeout or drop")
    for part in parts:
        fault = fault.merge(_parse_part(part, timeout_cap))
    return fault


def _parse_part(part: str, cap: float) -> Fault:
    head, *params = [piece.strip() for piece in part.split(";")]
    name, _, value = (piece.strip() for piece in head.partition("="))
    options = {}
    for param in params:
        key, sep, param_value = (piece.strip() for piece in param.partition("="))
        if not sep or not param_value:
            raise FaultSyntaxError(f"parameter {param!r} of {part!r} needs a value")
        options[key] = param_value
    if name == "status":
        return _status(value, options, part)
    if options:
        raise FaultSyntaxError(f"{name!r} takes no parameters: {part!r}")
    if name == "latency":
        if not value:
            raise FaultSyntaxError("latency needs a duration, e.g. latency=750ms")
        return Fault(latency=min(_seconds(value), cap))
    if name == "timeout":
        return Fault(timeout=min(_seconds(value), cap) if value else cap)
    if name == "drop":
        if value:
            raise FaultSyntaxError("drop takes no value")
        return Fault(drop=True)
    raise FaultSyntaxError(f"unknown fault {name!r}: use status, latency, timeout or drop")


def _status(value: str, options: dict, part: str) -> Fault:
    if not value.isdigit() or not 400 <= int(value) <= 599:
        raise FaultSyntaxError(f"status must be an HTTP error status 400-599: {part!r}")
    unknown = set(options) - {"retry_after"}
    if unknown:
        raise FaultSyntaxError(f"unknown parameter {sorted(unknown)[0]!r} in {part!r}")
    status = int(value)
    retry_after = options.get("retry_after")
    if retry_after is not None and not retry_after.isdigit():
        raise FaultSyntaxError(f"retry_after must be whole seconds: {part!r}")
    if retry_after is None and status in RETRY_STATUSES:
        return Fault(status=status, retry_after=DEFAULT_RETRY_AFTER)
    return Fault(status=status, retry_after=int(retry_after) if retry_after else None)


def validate_fault(text: str) -> None:
    """marshmallow validator: ``text`` is a fault in the ``X-Sandbox-Fault`` syntax."""
    try:
        parse(text, timeout_cap=3600)
    except FaultSyntaxError as error:
        raise ma.ValidationError(str(error)) from None
