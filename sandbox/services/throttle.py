"""Throttling failed sign-ins per (bank, username) and factor, as a bank does.

After :data:`MAX_FAILURES` failed passwords (or one-time codes) in a row for a username,
known or not, that factor is refused for :data:`COOL_DOWN_SECONDS` of wall-clock time, even
with the right value. Success clears the count. Counters are rows, shared by every worker;
the control plane (``DELETE /sandbox/banks/{bank_id}/sign-in-throttle``), ``sandbox
clear-throttle`` and any reset clear them.
"""
from __future__ import annotations

import math
import time

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.errors import TooManyRequests
from sandbox.models import SignInThrottle

MAX_FAILURES = 5
COOL_DOWN_SECONDS = 300
#: Usernames are counted by their first 200 characters.
USERNAME_LENGTH = 200
FACTORS = ("password", "otp")


class Throttled(TooManyRequests):
    """Attempts of this factor are paused for ``retry_after`` more whole seconds (the
    ``Retry-After`` header of the answer)."""

    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"Too many failed attempts. For your security, signing in as this "
                         f"user is paused: try again in {minutes} minute"
                         f"{'s' if minutes != 1 else ''}.",
                         headers={"Retry-After": str(retry_after)})


def _key(bank_id: str, username: str, factor: str):
    return (SignInThrottle.bank_id == bank_id,
            SignInThrottle.username == username.strip()[:USERNAME_LENGTH],
            SignInThrottle.factor == factor)


def check(session: Session, bank_id: str, username: str, factor: str) -> None:
    """Raise :class:`Throttled` while this username's ``factor`` cools down."""
    blocked_until = session.scalar(
        sa.select(SignInThrottle.blocked_until).where(*_key(bank_id, username, factor)))
    remaining = (blocked_until or 0) - time.time()
    if remaining > 0:
        raise Throttled(math.ceil(remaining))


def fail(session: Session, bank_id: str, username: str, factor: str) -> None:
    """Count a failed attempt (atomically, across workers); raise :class:`Throttled` when it
    is the one that starts the cool-down. The count must outlive the error answer: the
    caller answers it by returning a response, and its unit of work commits."""
    now = time.time()
    key = _key(bank_id, username, factor)
    session.execute(sa.update(SignInThrottle).where(
        *key, SignInThrottle.blocked_until <= now).values(failures=0, blocked_until=None))
    counted = session.execute(sa.update(SignInThrottle).where(*key).values(
        failures=SignInThrottle.failures + 1))
    if counted.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(SignInThrottle(
                    bank_id=bank_id, username=username.strip()[:USERNAME_LENGTH],
                    factor=factor, failures=1))
        except IntegrityError:
            session.execute(sa.update(SignInThrottle).where(*key).values(
                failures=SignInThrottle.failures + 1))
    started = session.execute(sa.update(SignInThrottle).where(
        *key, SignInThrottle.failures >= MAX_FAILURES, SignInThrottle.blocked_until.is_(None))
        .values(blocked_until=now + COOL_DOWN_SECONDS))
    if started.rowcount:
        raise Throttled(COOL_DOWN_SECONDS)


def succeed(session: Session, bank_id: str, username: str, factor: str) -> None:
    """Forget this username's failed attempts of ``factor``; the caller commits."""
    session.execute(sa.delete(SignInThrottle).where(*_key(bank_id, username, factor)))


def clear(session: Session, bank_id: str, username: str | None = None) -> int:
    """Forget the failed attempts (and lift the cool-downs) of every username at the bank,
    or of ``username``; answers how many counters went. The caller commits."""
    condition = [SignInThrottle.bank_id == bank_id]
    if username is not None:
        condition.append(SignInThrottle.username == username.strip()[:USERNAME_LENGTH])
    cleared = session.execute(sa.delete(SignInThrottle).where(*condition)).rowcount
    return cleared
