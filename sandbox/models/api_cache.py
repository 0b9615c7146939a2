"""Serialised transactions: a row is serialised once per status it reaches (pending, then
posted, which it keeps for good) and pages are spliced from the stored JSON."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db


class TransactionJson(db.Model):
    """The API representation of one transaction as compact JSON text, valid while the
    transaction still has ``status``."""

    __tablename__ = "transaction_json"
    #: SQLite keeps the rows in the primary key's b-tree: one lookup per row instead of two.
    __table_args__ = {"sqlite_with_rowid": False}

    transaction_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(8))
    body: Mapped[str] = mapped_column(sa.Text)
