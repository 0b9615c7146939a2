"""The sweep: events the clock causes, raised each once by whichever worker passes first.

``consent.expired`` when the clock passes a consent's expiry, ``consent.revoked`` for
revocations not announced by their own unit of work, ``shipment.updated`` when a parcel's
next tracking event comes due. ``WebhookNotice`` rows record what was raised: when two
workers sweep at once, the second one's unit of work fails on their primary key and is
rolled back (the events exist once).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import clock
from sandbox.models import Consent, Customer, Receipt, Shipment, Transaction, WebhookNotice
from sandbox.services.shipments import visible_events
from sandbox.services.webhooks.listeners import Listener, listeners, listening_to, since
from sandbox.services.webhooks.notify import notify_consent, notify_shipment

#: How long after it ships a parcel is watched for tracking events.
SHIPMENT_WATCH = timedelta(days=60)


def sweep(session: Session, *, now: datetime) -> None:
    """Raise the clock-driven events due by ``now`` that were not raised yet."""
    found = listeners(session)
    for status in ("expired", "revoked"):
        _sweep_consents(session, now, status, listening_to(f"consent.{status}", found))
    _sweep_shipments(session, now, listening_to("shipment.updated", found))


def _sweep_consents(session: Session, now: datetime, status: str,
                    listening: list[Listener]) -> None:
    started = since(listening)
    if not started:
        return
    topic = f"consent.{status}"
    noticed = sa.select(WebhookNotice.subject_id).where(WebhookNotice.topic == topic)
    if status == "expired":
        when = Consent.expires_at
        query = sa.select(Consent).where(Consent.status == "authorized", when <= now)
    else:
        when = Consent.revoked_at
        query = sa.select(Consent).where(Consent.status == "revoked", when.is_not(None))
    candidates = session.scalars(
        query.where(Consent.client_id.in_({client for _, client in started}),
                    when >= min(started.values()), Consent.id.not_in(noticed))
        .order_by(when, Consent.id))
    for consent in candidates:
        start = started.get((consent.bank_id, consent.client_id))
        if start is None or getattr(consent, when.key) < start:
            continue
        session.add(WebhookNotice(topic=topic, subject_id=consent.id, last_at=now))
        notify_consent(session, consent, status, now=now, found=listening)


def _sweep_shipments(session: Session, now: datetime, listening: list[Listener]) -> None:
    started = since(listening)
    if not started:
        return
    customers = {
        consent.customer_id
        for consent in session.scalars(
            sa.select(Consent).where(Consent.status == "authorized", Consent.expires_at > now,
                                     Consent.client_id.in_({c for _, c in started})))
        if (consent.bank_id, consent.client_id) in started and "shipments" in consent.scopes
    }
    if not customers:
        return
    baseline = min(started.values())
    rows = session.execute(
        sa.select(Shipment, Receipt.account_id, Transaction.authorized_at, Customer.bank_id,
                  WebhookNotice)
        .join(Receipt, Receipt.id == Shipment.receipt_id)
        .join(Transaction, Transaction.id == Receipt.transaction_id)
        .join(Customer, Customer.id == Shipment.customer_id)
        .outerjoin(WebhookNotice, sa.and_(WebhookNotice.topic == "shipment.updated",
                                          WebhookNotice.subject_id == Shipment.id))
        .where(Shipment.customer_id.in_(customers), Receipt.issued_at <= now,
               Shipment.shipped_at > now - SHIPMENT_WATCH)
        .order_by(Shipment.shipped_at, Shipment.id))
    for shipment, account_id, purchased_at, bank_id, notice in rows:
        visible = visible_events(shipment.events or [], now)
        if not visible:
            continue
        latest_at = clock.parse_instant(visible[-1]["at"])
        if notice is None:
            session.add(WebhookNotice(topic="shipment.updated", subject_id=shipment.id,
                                      last_at=latest_at))
            if latest_at <= baseline:
                continue
        elif latest_at <= notice.last_at:
            continue
        else:
            notice.last_at = latest_at
        notify_shipment(session, shipment, now=now, bank_id=bank_id, account_id=account_id,
                        purchased_on=purchased_at.date(), found=listening)
