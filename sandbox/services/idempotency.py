"""``Idempotency-Key``: the first request with a key claims it by inserting a row; a repeat
with the same body gets the stored answer, one with another body is refused.

Keys belong to a principal: the client acting under one consent of one customer (or the
client on its own, with a client-credentials token), so a key never answers for another
customer or another consent. The caller authorises the request (token active, scope,
consent) before it claims a key, so a replay is refused exactly when a first request would be.

The claim is an INSERT under a unique constraint on (bank, client, principal, key), committed
before the work starts, so of concurrent duplicates exactly one runs (portable: no locking
tricks). The answer is stored in the same transaction as the work it describes. Keys live 24
hours of sandbox time. Only successful answers are kept: a refused request releases its key.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 64
LIFETIME = timedelta(hours=24)
#: Headers of a stored answer that are replayed with it.
REPLAYED_HEADERS = ("Content-Type", "Location")


class KeyReused(Exception):
    """The key was first used with a different request."""


class KeyInFlight(Exception):
    """The first request with this key is still running."""


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


def claim(bank_id: str, client_id: str, owner: str, key: str, digest: str, *,
          wait_seconds: float = 5.0) -> tuple[int | None, Answer | None]:
    """Claim ``key`` of principal ``owner`` (see :func:`principal`) for a request with
    fingerprint ``digest`` (commits).

    Returns ``(record_id, None)`` when this request must do the work, ``(None, answer)`` when
    it repeats one that succeeded. A duplicate arriving while the first is running waits up
    to ``wait_seconds`` for its answer. Raises ``KeyReused`` or ``KeyInFlight``.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        record_id = _insert(bank_id, client_id, owner, key, digest)
        if record_id is not None:
            return record_id, None
        while True:
            existing = db.session.scalar(
                sa.select(IdempotencyRecord).where(IdempotencyRecord.bank_id == bank_id,
                                                   IdempotencyRecord.client_id == client_id,
                                                   IdempotencyRecord.principal == owner,
                                                   IdempotencyRecord.key == key))
            now = clock.now()
            if existing is None or existing.expires_at <= now:
                if existing is not None:
                    db.session.execute(sa.delete(IdempotencyRecord).where(
                        IdempotencyRecord.id == existing.id,
                        IdempotencyRecord.expires_at <= now))
                db.session.commit()
                break
            answer = None
            if existing.status == "done":
                answer = Answer(existing.response_status, existing.response_body,
                                dict(existing.response_headers or {}))
            reused = existing.fingerprint != digest
            db.session.rollback()
            if reused:
                raise KeyReused(key)
            if answer is not None:
                return None, answer
            if time.monotonic() >= deadline:
                raise KeyInFlight(key)
            time.sleep(0.05)


def _insert(bank_id: str, client_id: str, owner: str, key: str, digest: str) -> int | None:
    """Claim the key by inserting its record (commits); None when it is already taken."""
    now = clock.now()
    record = IdempotencyRecord(bank_id=bank_id, client_id=client_id, principal=owner, key=key,
                               fingerprint=digest, status="in_progress", created_at=now,
                               expires_at=now + LIFETIME)
    db.session.add(record)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return None
    return record.id


def complete(record_id: int, answer: Answer) -> None:
    """Store the answer of the claiming request, in the caller's transaction."""
    db.session.execute(
        sa.update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
        .values(status="done", response_status=answer.status, response_body=answer.body,
                response_headers=answer.headers))


def release(record_id: int) -> None:
    """Give the key up after the claiming request failed, so it can be retried (commits)."""
    db.session.rollback()
    db.session.execute(sa.delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()
