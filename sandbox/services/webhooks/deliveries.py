"""Deliveries: claim due outbox rows, settle each attempt, back off, redeliver, read the log.

At-least-once: a row is claimed (a lease in wall-clock time) in one unit of work before its
POST and settled in another after it; a worker that dies mid-POST leaves the lease to
expire, and another worker sends the same event (same ``Sandbank-Event-Id``) again. Retry
times follow the sandbox clock.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import Conflict, NotFound
from sandbox.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from sandbox.services.paging import Keyset, equal_to
from sandbox.services.webhooks.events import EVENT_ID_HEADER, SIGNATURE_HEADER, signature
from sandbox.services.webhooks.transport import USER_AGENT, Outcome

#: Attempts before a delivery is marked ``failed``.
MAX_ATTEMPTS = 7
#: Sandbox seconds to wait after failed attempt n (1-based), before jitter: 1 min, 4 min,
#: 16 min, 64 min, ~4.3 h, ~17 h: about 23 hours from the first attempt to the last.
BACKOFF_SECONDS = (60, 240, 960, 3_840, 15_360, 61_440)
#: Each wait is multiplied by a random factor in this range.
JITTER = (0.8, 1.2)


class SubscriptionGone(Conflict):
    """The delivery's subscription has been deleted (409)."""


#: The delivery log pages newest first.
KEYSET = Keyset("deliveries", WebhookDelivery.id, WebhookDelivery.created_at)


def lease_seconds(timeout: float) -> float:
    """How long a claim holds: longer than any POST bounded by ``timeout`` can take."""
    return 2 * timeout + 5


def backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based), with jitter."""
    base = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
    return timedelta(seconds=base * (rng or random).uniform(*JITTER))


def claim(session: Session, worker: str, *, now: datetime, wall: datetime, limit: int = 10,
          timeout: float) -> list[str]:
    """Claim up to ``limit`` deliveries due by ``now`` for ``worker`` until ``wall`` (the
    real time) plus the lease; returns their ids. The caller commits at once.

    Portable: each row is taken by a conditional UPDATE that only one worker can win. On
    PostgreSQL the candidates are also locked with ``FOR UPDATE SKIP LOCKED`` so workers
    spread over different rows instead of racing for the same ones.
    """
    free = sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < wall)
    due = (sa.select(WebhookDelivery.id)
           .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, free)
           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
           .limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    until = wall + timedelta(seconds=lease_seconds(timeout))
    claimed = []
    for delivery_id in session.scalars(due).all():
        result = session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending", free)
            .values(claimed_by=worker, claimed_until=until,
                    attempts=WebhookDelivery.attempts + 1))
        if result.rowcount == 1:
            claimed.append(delivery_id)
    return claimed


@dataclass(frozen=True)
class Request:
    """One claimed delivery, ready to POST."""

    delivery_id: str
    number: int
    url: str
    body: bytes
    headers: dict[str, str]


def prepare(session: Session, delivery_id: str, worker: str) -> Request | None:
    """What to POST for a delivery ``worker`` claimed, signed now; None when the row is no
    longer this worker's claim."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.claimed_by != worker:
        return None
    subscription = session.get(WebhookSubscription, delivery.subscription_id)
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: delivery.event_id,
        "Sandbank-Event-Type": delivery.event_type,
        "Sandbank-Delivery-Id": delivery.id,
        "Sandbank-Delivery-Attempt": str(delivery.attempts),
        SIGNATURE_HEADER: signature(subscription.secret, body, int(time.time())),
    }
    return Request(delivery.id, delivery.attempts, subscription.url, body, headers)


def settle(session: Session, request: Request, worker: str, outcome: Outcome, *,
           now: datetime, rng: random.Random | None = None) -> None:
    """Log an attempt and move the delivery on: delivered, retried later, or failed (unless
    the row is no longer ``worker``'s claim)."""
    delivery_id, number = request.delivery_id, request.number
    session.add(WebhookAttempt(
        delivery_id=delivery_id, number=_attempt_count(session, delivery_id) + 1,
        worker=worker, at=now, duration_ms=outcome.duration_ms,
        status_code=outcome.status_code, error=outcome.error))
    values: dict = {"claimed_by": None, "claimed_until": None,
                    "last_status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.ok:
        values.update(status="delivered", delivered_at=now)
    elif number >= MAX_ATTEMPTS:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=now + backoff(number, rng))
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == worker)
        .values(**values))


def _attempt_count(session: Session, delivery_id: str) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)
                          .where(WebhookAttempt.delivery_id == delivery_id))


def find(session: Session, delivery_id: str) -> WebhookDelivery:
    """One delivery; raises ``NotFound``."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"There is no delivery {delivery_id!r}.")
    return delivery


def redeliver(session: Session, delivery_id: str, *, now: datetime) -> WebhookDelivery:
    """Queue a delivery again, due ``now``, with a fresh attempt budget. Raises ``NotFound``
    or ``SubscriptionGone``.

    Its log is kept; an attempt in flight is disowned, so its answer no longer settles the row.
    """
    delivery = find(session, delivery_id)
    subscription = session.get(WebhookSubscription, delivery.subscription_id)
    if subscription.deleted_at is not None:
        raise SubscriptionGone("The delivery's subscription has been deleted.")
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.claimed_by = None
    delivery.claimed_until = None
    delivery.delivered_at = None
    return delivery


def deliveries(session: Session, *, bank_id: str | None = None, client_id: str | None = None,
               subscription_id: str | None = None, status: str | None = None,
               event_type: str | None = None, cursor: str | None = None,
               limit: int = 50) -> tuple[list[WebhookDelivery], str | None]:
    """A page of the delivery log, newest first, filtered, after ``cursor``; and the cursor
    of the next page. Raises :class:`~sandbox.services.paging.InvalidCursor`."""
    query = sa.select(WebhookDelivery).where(*equal_to(
        (WebhookDelivery.bank_id, bank_id), (WebhookDelivery.client_id, client_id),
        (WebhookDelivery.subscription_id, subscription_id), (WebhookDelivery.status, status),
        (WebhookDelivery.event_type, event_type)))
    rows = list(session.scalars(KEYSET.page(query, limit, cursor)))
    return KEYSET.cut(rows, limit, lambda row: (row.created_at, row.id))


def attempts_of(session: Session, delivery_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
    """The attempt log of each delivery, oldest first."""
    found: dict[str, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        for row in session.scalars(
                sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)):
            found[row.delivery_id].append(row)
    return found
