"""Marshmallow fields shared by the control plane's schemas."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma

from sandbox.clock import iso, parse_instant


class Instant(ma.fields.Field):
    """An ISO 8601 UTC instant: loads any offset (or ``Z``), dumps ``YYYY-MM-DDTHH:MM:SSZ``."""

    default_error_messages = {"invalid": "Not a valid ISO 8601 instant, e.g. 2026-07-01T09:00:00Z."}

    def __init__(self, **kwargs):
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("format", "date-time")
        metadata.setdefault("type", "string")
        super().__init__(**kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        return None if value is None else iso(value)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_instant(value)
        except (ValueError, OverflowError):  # out of range once moved to UTC
            raise self.make_error("invalid") from None
