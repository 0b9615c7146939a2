"""The unit of work: a request, a CLI command or a background job owns one transaction.

Services change the session they are given and never commit. A request's work is committed
once the view has returned a response, whatever its status (a view that answers an error
page after counting a failed sign-in keeps the count); it is rolled back when the view
raises, whether the exception becomes a problem+json (``abort``, a :class:`SandboxError`)
or a 500. Outside a request, :func:`transaction` does the same around a block.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response
from sqlalchemy.orm import Session

from sandbox.extensions import db


def commit(response: Response) -> Response:
    """``after_request`` hook: commit the request's work once its view has returned. It is
    registered before every other ``after_request`` hook, so it runs after them all. A
    request that never used the session (the data API's reads go through the fast path's
    own connection) costs nothing: no session is made just to commit nothing."""
    if db.session.registry.has():
        session = db.session()
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            session.commit()
    return response


def abandon() -> None:
    """Roll back the current unit of work: the view raised."""
    db.session.rollback()


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work outside a request (a CLI command, a sweep of the worker): yields
    the session, commits when the block ends, rolls back if it raises."""
    session = db.session
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
