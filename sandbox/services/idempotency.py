"""``Idempotency-Key``: the first request with a key claims it by inserting a row; a repeat
with the same body gets the stored answer, one with another body is refused.

Keys belong to a principal: the client acting under one consent of one customer (or the
client on its own, with a client-credentials token), so a key never answers for another
customer or another consent. The caller authorises the request (token active, scope,
consent) before it claims a key, so a replay is refused exactly when a first request would be.

One unit of work: the claim (an INSERT under a unique constraint on (bank, client,
principal, key)), the work and the answer are committed together, or not at all. A duplicate
arriving while the first runs blocks on that INSERT (PostgreSQL waits for the row's
transaction, SQLite for the write lock) and, once the first has committed, finds its answer;
if the first was refused or crashed, its claim was rolled back and the duplicate does the
work. A duplicate that waits longer than ``WAIT_SECONDS`` is told to retry (``KeyInFlight``).
Keys live 24 hours of sandbox time; only successful answers are kept.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sandbox.errors import Conflict, Unprocessable
from sandbox.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 64
LIFETIME = timedelta(hours=24)
#: How long a duplicate waits for the first request with its key before ``KeyInFlight``.
WAIT_SECONDS = 5
#: Headers of a stored answer that are replayed with it.
REPLAYED_HEADERS = ("Content-Type", "Location")


class KeyReused(Unprocessable):
    """The key was first used with a different request (422)."""

    def __init__(self, key: str):
        super().__init__(f"The {HEADER} {key!r} was already used with a different request; "
                         "use a new key for a new request.", field=HEADER, location="headers")

    def problem_errors(self) -> list[dict]:
        return [{"path": HEADER, "location": "headers", "message": "Used with another request."}]


class KeyInFlight(Conflict):
    """The first request with this key is still running (409, retry after a second)."""

    def __init__(self, key: str):
        super().__init__(f"A request with the {HEADER} {key!r} is still being processed; "
                         "retry shortly.", headers={"Retry-After": "1"})


@dataclass(frozen=True)
class Answer:
    """A stored answer, replayed for a repeated request."""

    status: int
    body: str
    headers: dict


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A digest of what makes two requests "the same": method, path and JSON body (key
    order and whitespace do not matter)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True,
                               separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def principal(customer_id: str | None, consent_id: str | None) -> str:
    """Whose keys a request uses: the customer's under one consent, or (neither) the
    client's own."""
    return f"{customer_id}/{consent_id}" if consent_id else ""


def claim(session: Session, bank_id: str, client_id: str, owner: str, key: str, digest: str,
          *, now: datetime) -> tuple[int | None, Answer | None]:
    """Claim ``key`` of principal ``owner`` (see :func:`principal`) for a request with
    fingerprint ``digest``, in the caller's unit of work.

    Returns ``(record_id, None)`` when this request must do the work (then :func:`complete`
    or :func:`release` in the same unit of work), ``(None, answer)`` when it repeats one that
    succeeded. Raises ``KeyReused`` or ``KeyInFlight``.
    """
    mine = (IdempotencyRecord.bank_id == bank_id, IdempotencyRecord.client_id == client_id,
            IdempotencyRecord.principal == owner, IdempotencyRecord.key == key)
    for _ in range(2):
        record_id = _insert(session, bank_id, client_id, owner, key, digest, now=now)
        if record_id is not None:
            return record_id, None
        existing = session.scalar(sa.select(IdempotencyRecord).where(*mine))
        if existing is None or existing.expires_at <= now:
            if existing is not None:  # expired: the key is free again
                session.delete(existing)
                session.flush()
            continue
        if existing.fingerprint != digest:
            raise KeyReused(key)
        if existing.status != "done":
            raise KeyInFlight(key)
        return None, Answer(existing.response_status, existing.response_body,
                            dict(existing.response_headers or {}))
    raise KeyInFlight(key)


def _insert(session: Session, bank_id: str, client_id: str, owner: str, key: str,
            digest: str, *, now: datetime) -> int | None:
    """Insert the key's record unless it exists, waiting up to ``WAIT_SECONDS`` for a
    concurrent first request to end; answers its id, None when it exists. Raises
    ``KeyInFlight`` when the wait runs out."""
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = (postgresql.insert if postgres else sqlite.insert)(IdempotencyRecord).values(
        bank_id=bank_id, client_id=client_id, principal=owner, key=key, fingerprint=digest,
        status="in_progress", created_at=now, expires_at=now + LIFETIME)
    try:
        with _waiting_at_most(session, WAIT_SECONDS, postgres=postgres):
            return session.scalar(
                insert.on_conflict_do_nothing().returning(IdempotencyRecord.id))
    except sa.exc.OperationalError as error:
        if _lock_wait(error):
            raise KeyInFlight(key) from None
        raise


@contextmanager
def _waiting_at_most(session: Session, seconds: int, *, postgres: bool) -> Iterator[None]:
    """Bound how long the statements of the block wait for another transaction's lock
    (PostgreSQL's ``lock_timeout`` for this transaction, SQLite's busy timeout for this
    connection), then restore the usual wait."""
    if postgres:
        session.execute(sa.text(f"SET LOCAL lock_timeout = '{seconds}s'"))
        yield
        session.execute(sa.text("SET LOCAL lock_timeout TO DEFAULT"))
        return
    usual = session.execute(sa.text("PRAGMA busy_timeout")).scalar()
    session.execute(sa.text(f"PRAGMA busy_timeout = {seconds * 1000}"))
    try:
        yield
    finally:
        session.execute(sa.text(f"PRAGMA busy_timeout = {int(usual)}"))


def _lock_wait(error: sa.exc.OperationalError) -> bool:
    """Whether ``error`` says a lock was waited for in vain (PostgreSQL's
    ``lock_not_available``, SQLite's ``database is locked``)."""
    return getattr(error.orig, "sqlstate", None) == "55P03" or "database is locked" in str(
        error.orig)


def complete(session: Session, record_id: int, answer: Answer) -> None:
    """Store the answer of the claiming request, in its unit of work."""
    session.execute(
        sa.update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
        .values(status="done", response_status=answer.status, response_body=answer.body,
                response_headers=answer.headers))


def release(session: Session, record_id: int) -> None:
    """Give the key up, in the claiming request's unit of work, when its answer is not a
    success: a retry with the key does the work again."""
    session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))


def prune(session: Session, *, now: datetime) -> int:
    """Delete the records expired by ``now`` (a job of the worker); answers how many."""
    expired = IdempotencyRecord.expires_at <= now
    if session.scalar(sa.select(IdempotencyRecord.id).where(expired).limit(1)) is None:
        return 0
    return session.execute(sa.delete(IdempotencyRecord).where(expired)).rowcount
