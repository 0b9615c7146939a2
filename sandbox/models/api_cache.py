"""Serialised transactions: a row is serialised once per state it reaches (pending, then
posted; again if a back-dated row shifts its running balance) and pages are spliced from the
stored JSON."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import Money


class TransactionJson(db.Model):
    """The API representation of one transaction as compact JSON text, valid while the
    transaction still has ``status`` and ``running_balance``: reads join on both, so JSON
    stored from an older state of the row is never served, whichever writer came last."""

    __tablename__ = "transaction_json"
    #: SQLite keeps the rows in the primary key's b-tree: one lookup per row instead of two.
    __table_args__ = {"sqlite_with_rowid": False}

    transaction_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(8))
    running_balance: Mapped[Decimal | None] = mapped_column(Money)
    body: Mapped[str] = mapped_column(sa.Text)
