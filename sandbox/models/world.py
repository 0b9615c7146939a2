"""World-wide state: how the world was seeded and the sandbox clock."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class WorldState(db.Model):
    """The single row describing the seeded world and the clock (shared by every process)."""

    __tablename__ = "world_state"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, default=1)
    seed: Mapped[int] = mapped_column(sa.Integer)
    customers: Mapped[int] = mapped_column(sa.Integer)
    history_months: Mapped[int] = mapped_column(sa.Integer)
    seeded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_offset_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    history_start: Mapped[date | None] = mapped_column(sa.Date)
