"""Card authorisations that were declined instead of becoming transactions."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import Money, UTCDateTime


class DeclinedAuthorization(db.Model):
    """A card purchase the bank refused (the card was locked): no money moved."""

    __tablename__ = "declined_authorizations"
    __table_args__ = (sa.Index("ix_declined_authorizations_account", "account_id", "attempted_at"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    description: Mapped[str] = mapped_column(sa.String(200))
    channel: Mapped[str] = mapped_column(sa.String(10))
    merchant_id: Mapped[str | None] = mapped_column(sa.ForeignKey("merchants.id"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(20))
