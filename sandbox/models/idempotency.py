"""Idempotency records: the first request with a key claims it; its answer is replayed."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class IdempotencyRecord(db.Model):
    """An ``Idempotency-Key`` of one principal (a client acting under one consent of one
    customer, or a client on its own): the request it was first used with and, once that
    request succeeded, its answer. Unique per (bank, client, principal, key): inserting the
    row is the claim, so concurrent duplicates cannot both run, and no other customer or
    consent ever shares a key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("bank_id", "client_id", "principal", "key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(32))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    #: ``"<customer id>/<consent id>"``, or ``""`` for a client-credentials request.
    principal: Mapped[str] = mapped_column(sa.String(120))
    key: Mapped[str] = mapped_column(sa.String(64))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(12), default="in_progress")
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
