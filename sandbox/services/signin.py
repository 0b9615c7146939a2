"""The server-side state of one authorization at the bank's pages (DESIGN.md §7).

A browser's session cookie names one :class:`SignInSession` row; the row belongs to one
authorization request (its bank and parameters), lives ``lifetime`` seconds of wall-clock
time from its start, and is deleted when the request ends (code issued, denied, or answered
with an error). A cookie saved along the way therefore signs nobody in afterwards.
"""
from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import SignInSession


def find(session: Session, session_id: str | None, bank_id: str, request_key: str,
         lifetime: float) -> SignInSession | None:
    """The live row ``session_id`` of this bank and request, or None (unknown, another
    request, or older than ``lifetime`` seconds)."""
    if not isinstance(session_id, str):
        return None
    row = session.get(SignInSession, session_id)
    if (row is None or row.bank_id != bank_id or row.request_key != request_key
            or row.started_at + lifetime <= time.time()):
        return None
    return row


def start(session: Session, bank_id: str, request_key: str, lifetime: float,
          previous: SignInSession | None = None) -> SignInSession:
    """A new row for this request, under a new id and starting now, carrying over what
    ``previous`` (which is deleted) had recorded: ids rotate whenever the state gains a
    person or a factor. Rows past ``lifetime`` are swept on the way. The caller commits."""
    now = time.time()
    session.execute(sa.delete(SignInSession).where(SignInSession.started_at <= now - lifetime)
                       .execution_options(synchronize_session=False))
    row = SignInSession(id=secrets.token_urlsafe(32), bank_id=bank_id, request_key=request_key,
                        started_at=now, amr=[], otp_done=False)
    if previous is not None:
        row.request_uri, row.customer_id = previous.request_uri, previous.customer_id
        row.auth_time, row.amr = previous.auth_time, list(previous.amr or [])
        row.otp_done = previous.otp_done
        session.delete(previous)
    session.add(row)
    return row


def finish(session: Session, row: SignInSession) -> bool:
    """Delete ``row``; True when this call did (False: another request finished it first).
    The caller commits, together with whatever the finished request issued."""
    deleted = session.execute(
        sa.delete(SignInSession).where(SignInSession.id == row.id)
        .execution_options(synchronize_session=False))
    session.expunge(row)
    return deleted.rowcount == 1
