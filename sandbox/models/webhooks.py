"""Webhooks: subscriptions, the delivery outbox, the attempt log, and sweep bookkeeping.

An outbox row (``WebhookDelivery``) is written in the same transaction as the change that
caused the event; workers claim due rows, POST them, and log every attempt.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class WebhookSubscription(db.Model):
    """Where one client of one bank wants which events POSTed. Deleted ones stay for the log."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.Index("ix_webhook_subscriptions_client", "bank_id", "client_id"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    url: Mapped[str] = mapped_column(sa.String(2000))
    events: Mapped[list] = mapped_column(sa.JSON)
    secret: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(db.Model):
    """One event bound for one subscription: the outbox row and its delivery state.

    ``next_attempt_at`` is sandbox time (backoff follows the sandbox clock); ``claimed_until``
    is wall-clock time (a worker's lease, which must expire even while the clock is frozen).
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "subscription_id"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    subscription_id: Mapped[str] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id"), index=True)
    bank_id: Mapped[str] = mapped_column(sa.String(32))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    consent_id: Mapped[str | None] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class WebhookAttempt(db.Model):
    """One POST of a delivery: when, by whom, how long it took and how it ended."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(sa.ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    worker: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(sa.Integer)
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(500))


class WebhookNotice(db.Model):
    """What a clock-driven event has already been raised for (``consent.expired`` per consent,
    ``shipment.updated`` per shipment up to ``last_at``), so workers raise each exactly once."""

    __tablename__ = "webhook_notices"

    topic: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    subject_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
