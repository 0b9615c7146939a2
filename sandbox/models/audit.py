"""The access log: who read what, under which consent, and when (DESIGN.md §3)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class AccessLogEntry(db.Model):
    """One data read through the API.

    Every data read inserts a row, so only what must be fast is indexed: the customer (the
    control plane's filter, also behind ``username``); the consent with the instant (the
    control plane's filter, and the connected-apps page: a consent's last read and its
    recent reads are ranges of it); the instant (pruning past the retention). A bank or
    client filter walks the entries newest first until the page is full.
    """

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_consent_at", "consent_id", "at"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(32))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    customer_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    consent_id: Mapped[str] = mapped_column(sa.String(40))
    resource: Mapped[str] = mapped_column(sa.String(40))
    resource_id: Mapped[str | None] = mapped_column(sa.String(40))
    path: Mapped[str] = mapped_column(sa.String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
