"""Signing a person in at a bank's pages: the password, then the one-time code when the bank
asks, each throttled per username (``throttle``). The authorization flow (``oauth/flow.py``)
and the connected-apps pages (``people/``) sign people in through these two functions."""
from __future__ import annotations

from sqlalchemy.orm import Session

from sandbox.errors import BadRequest
from sandbox.models import Customer
from sandbox.services import customers, throttle


class WrongCode(BadRequest):
    """The one-time code entered is not the right one."""

    def __init__(self) -> None:
        super().__init__("That code is not correct. Check it and try again.", field="otp",
                         location="form")


def check_password(session: Session, bank_id: str, username: str, password: str) -> Customer:
    """The customer whose credentials these are. Raises ``throttle.Throttled`` while the
    username cools down (or when this failure starts it), ``customers.LoginRefused`` for a
    wrong password (counted) or a locked account. The caller commits, refusals included."""
    throttle.check(session, bank_id, username, "password")
    try:
        customer = customers.authenticate(session, bank_id, username, password)
    except customers.LoginRefused as refused:
        if refused.reason == "invalid_credentials":
            throttle.fail(session, bank_id, username, "password")
        raise
    throttle.succeed(session, bank_id, username, "password")
    return customer


def check_code(session: Session, bank_id: str, username: str, code: str) -> None:
    """Accept the one-time code of ``username``; raises ``throttle.Throttled`` or
    :class:`WrongCode` (counted). The caller commits, refusals included."""
    throttle.check(session, bank_id, username, "otp")
    if not customers.check_one_time_code(code):
        throttle.fail(session, bank_id, username, "otp")
        raise WrongCode()
    throttle.succeed(session, bank_id, username, "otp")
