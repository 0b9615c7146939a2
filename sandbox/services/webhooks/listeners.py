"""Who listens: the live subscriptions events are matched against, read with a plain query.

Code that raises many events in one go (a catch-up, the sweep) reads them once and passes
them to each ``emit``; a single event reads those of its bank.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import WebhookSubscription


@dataclass(frozen=True)
class Listener:
    """A live subscription, as events are matched against it."""

    id: str
    bank_id: str
    client_id: str
    events: tuple[str, ...]
    created_at: datetime


def listeners(session: Session, *, bank_id: str | None = None) -> list[Listener]:
    """Every live subscription (of ``bank_id`` when given), in id order."""
    query = (sa.select(WebhookSubscription.id, WebhookSubscription.bank_id,
                       WebhookSubscription.client_id, WebhookSubscription.events,
                       WebhookSubscription.created_at)
             .where(WebhookSubscription.deleted_at.is_(None)).order_by(WebhookSubscription.id))
    if bank_id is not None:
        query = query.where(WebhookSubscription.bank_id == bank_id)
    return [Listener(row.id, row.bank_id, row.client_id, tuple(row.events), row.created_at)
            for row in session.execute(query)]


def listening_to(event_type: str, found: list[Listener]) -> list[Listener]:
    """The listeners of ``found`` subscribed to ``event_type``."""
    return [listener for listener in found if event_type in listener.events]


def since(found: list[Listener]) -> dict[tuple[str, str], datetime]:
    """When each (bank, client) of ``found`` started listening."""
    started: dict[tuple[str, str], datetime] = {}
    for listener in found:
        key = (listener.bank_id, listener.client_id)
        started[key] = min(started.get(key, listener.created_at), listener.created_at)
    return started
