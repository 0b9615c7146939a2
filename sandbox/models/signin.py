"""A person's sign-in at a bank's pages: the state of one authorization in progress, and the
counters that throttle failed passwords and one-time codes.

Both are rows, so every worker sees the same state; instants are Unix seconds of the wall
clock (a browser's session and a cool-down run in real time, whatever the sandbox clock does).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db


class SignInSession(db.Model):
    """What a browser has done so far for one authorization request: the pushed request it
    claimed, who signed in, whether the one-time code was entered. The session cookie holds
    only the row's id; the row is deleted once the code is issued or the request denied."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"))
    #: Digest of the bank and the authorization request's parameters.
    request_key: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[float] = mapped_column(sa.Float, index=True)
    request_uri: Mapped[str | None] = mapped_column(sa.String(200))
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customers.id"))
    auth_time: Mapped[int | None] = mapped_column(sa.Integer)
    amr: Mapped[list] = mapped_column(sa.JSON, default=list)
    otp_done: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class SignInThrottle(db.Model):
    """Failed attempts in a row of one factor (``password`` or ``otp``) for a username at a
    bank, known or not, and the end of the cool-down they started."""

    __tablename__ = "sign_in_throttles"

    bank_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    factor: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    blocked_until: Mapped[float | None] = mapped_column(sa.Float)
