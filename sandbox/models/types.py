"""Column types shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

#: Money: exact decimal, two places. Python ``Decimal``; NUMERIC in the database.
Money = sa.Numeric(14, 2, asdecimal=True)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant, stored naive-UTC so SQLite and PostgreSQL agree."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value
