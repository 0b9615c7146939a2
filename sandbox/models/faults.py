"""Fault injection state: persistent fault rules and bank maintenance windows (rows, so
every worker on every host applies the same rules and draws from the same counters)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class FaultRule(db.Model):
    """Inject ``fault`` into matching requests with ``probability``; the draw for the n-th
    matching request depends only on ``(seed, n)``, so a run repeats exactly."""

    __tablename__ = "fault_rules"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    bank_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    client_id: Mapped[str | None] = mapped_column(sa.String(48))
    path: Mapped[str] = mapped_column(sa.String(300), default="*")
    fault: Mapped[str] = mapped_column(sa.String(200))
    probability: Mapped[float] = mapped_column(sa.Float, default=1.0)
    seed: Mapped[int] = mapped_column(sa.Integer, default=0)
    matched: Mapped[int] = mapped_column(sa.Integer, default=0)
    injected: Mapped[int] = mapped_column(sa.Integer, default=0)


class MaintenanceWindow(db.Model):
    """A bank answers 503 with ``Retry-After`` on everything while the sandbox clock is in
    ``[starts_at, ends_at)``."""

    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(32), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
