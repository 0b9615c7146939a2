"""Emit: one outbox row per subscription of every client entitled to an event.

Rows are written in the caller's unit of work, so an event exists exactly when the change
that caused it was committed.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import Consent, WebhookDelivery
from sandbox.services.webhooks.events import EVENT_SCOPES, EVENT_TYPES, body_of, ordered_id
from sandbox.services.webhooks.listeners import Listener, listeners, listening_to


def entitled(event_type: str, consent: Consent, account_id: str | None, now: datetime,
             on_day: date | None = None) -> bool:
    """Whether ``consent`` may hear about the event: active, granting one of its scopes,
    covering ``account_id`` and, for a transaction's day ``on_day``, its window."""
    needed = EVENT_SCOPES.get(event_type)
    if needed is None:
        return True
    if not consent.is_active(now) or not needed & consent.scopes:
        return False
    if on_day is not None and not (
            (consent.transaction_from is None or consent.transaction_from <= on_day)
            and (consent.transaction_to is None or on_day <= consent.transaction_to)):
        return False
    return account_id is None or account_id in (consent.account_ids or ())


def emit(session: Session, event_type: str, *, now: datetime, bank_id: str,
         customer_id: str | None = None, account_id: str | None = None,
         consent_id: str | None = None, data: dict, details: dict[str, dict] | None = None,
         on_day: date | None = None, found: list[Listener] | None = None) -> list[str]:
    """Queue ``event_type`` for every subscribed client entitled to it; returns the event ids.

    Entitled: a client with an active consent of ``customer_id`` at ``bank_id`` granting one
    of the event's scopes (``EVENT_SCOPES``), when ``account_id`` is given that account, and
    when ``on_day`` is given (a transaction's day) a transaction window that includes it.
    Consent events (``consent_id`` given) go to that consent's client only. The payload holds
    ``data`` (ids) plus, for each scope the consent grants, ``details[scope]``. ``found``:
    the live listeners when the caller has read them already (see ``listeners``).
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if found is None:
        found = listeners(session, bank_id=bank_id)
    listening = [s for s in listening_to(event_type, found) if s.bank_id == bank_id]
    if not listening:
        return []
    query = sa.select(Consent).where(Consent.bank_id == bank_id,
                                     Consent.client_id.in_({s.client_id for s in listening}))
    if consent_id is not None:
        query = query.where(Consent.id == consent_id)
    else:
        query = query.where(Consent.customer_id == customer_id, Consent.status == "authorized")
    event_ids = []
    for consent in session.scalars(query.order_by(Consent.id)):
        if not entitled(event_type, consent, account_id, now, on_day):
            continue
        payload = dict(data)
        for scope, extra in (details or {}).items():
            if scope in consent.scopes:
                payload.update(extra)
        event_id = ordered_id("evt")
        body = body_of(event_id, event_type, now, bank_id, consent.id, payload)
        for subscription in listening:
            if subscription.client_id != consent.client_id:
                continue
            session.add(WebhookDelivery(
                id=ordered_id("dlv"), event_id=event_id, event_type=event_type,
                subscription_id=subscription.id, bank_id=bank_id, client_id=consent.client_id,
                consent_id=consent.id, body=body, status="pending", attempts=0,
                created_at=now, next_attempt_at=now))
        event_ids.append(event_id)
    return event_ids
