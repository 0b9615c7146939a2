"""The access log: who read what, under which consent, and when (DESIGN.md §3)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class AccessLogEntry(db.Model):
    """One data read through the API.

    Every data read inserts a row, so only the selective filters of the control plane's
    listing are indexed: customer (also behind ``username``) and consent. A bank or client
    filter walks the entries newest first until the page is full.
    """

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(32))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    customer_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    consent_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    resource: Mapped[str] = mapped_column(sa.String(40))
    resource_id: Mapped[str | None] = mapped_column(sa.String(40))
    path: Mapped[str] = mapped_column(sa.String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
