"""How the live world was seeded, so ``POST /sandbox/reset`` without arguments returns to it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db


class WorldOrigin(db.Model):
    """The seeding parameters of the live world (one row, written at seeding time)."""

    __tablename__ = "world_origin"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, default=1)
    seed: Mapped[int] = mapped_column(sa.Integer)
    customers: Mapped[int] = mapped_column(sa.Integer)
    months: Mapped[int] = mapped_column(sa.Integer)
    as_of: Mapped[date | None] = mapped_column(sa.Date)
