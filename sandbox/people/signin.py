"""Who is signed in to a bank's connected-apps pages in this browser: a ``SignInSession``
row (``services/signin.py``) per bank, named by the session cookie, living
``SANDBOX_SIGN_IN_SECONDS`` from the sign-in; its id rotates at the password and at the
one-time code, and signing out deletes it."""
from __future__ import annotations

from flask import current_app, g, session

from sandbox.extensions import db
from sandbox.models import Customer, SignInSession
from sandbox.services import signin

#: The ``request_key`` of connected-apps sign-ins (an authorization's is a digest).
REQUEST_KEY = "connections"


def _cookie_key() -> str:
    return f"connections:{g.bank.id}"


def _lifetime() -> float:
    return float(current_app.config["SANDBOX_SIGN_IN_SECONDS"])


def current() -> SignInSession | None:
    """This browser's live sign-in at ``g.bank``, if any."""
    return signin.find(db.session, session.get(_cookie_key()), g.bank.id, REQUEST_KEY,
                       _lifetime())


def signed_in(row: SignInSession | None) -> Customer | None:
    """The customer of a sign-in that has every factor the bank asks for, else None."""
    if row is None or row.customer_id is None or not row.otp_done:
        return None
    return db.session.get(Customer, row.customer_id)


def advance(previous: SignInSession | None, **changes) -> SignInSession:
    """Record ``changes`` under a fresh id; the cookie names only the new one."""
    row = signin.start(db.session, g.bank.id, REQUEST_KEY, _lifetime(), previous=previous)
    for name, value in changes.items():
        setattr(row, name, value)
    session[_cookie_key()] = row.id
    return row


def sign_out(row: SignInSession | None) -> None:
    """End this browser's sign-in at ``g.bank`` (the row is deleted)."""
    if row is not None:
        signin.finish(db.session, row)
    session.pop(_cookie_key(), None)
