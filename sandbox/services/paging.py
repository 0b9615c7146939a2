"""Keyset paging, newest first: an opaque cursor names the last row of the page before.

A page is "rows strictly older than the cursor in (instant, id) order", so rows that arrive
during a walk (always newer, or at least ordered by their own key) never shift the pages still
to come: walking every page yields every row exactly once.
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from sandbox import catalog
from sandbox.extensions import db
from sandbox.models import Bank

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_ID_LENGTH = 40


class InvalidCursor(ValueError):
    """The cursor was not produced by this server for this kind of list."""


def encode_cursor(kind: str, at: datetime, row_id: str) -> str:
    """The cursor after the row ``(at, row_id)`` in a list of ``kind``."""
    delta = at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    raw = f"{kind}.{micros}.{row_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(kind: str, cursor: str) -> tuple[datetime, str]:
    """Return ``(at, row_id)`` from a cursor of ``kind``; raise :class:`InvalidCursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        prefix, micros, row_id = raw.split(".", 2)
        if not micros.isdigit():
            raise ValueError(micros)
        at = _EPOCH + timedelta(microseconds=int(micros))
    except (UnicodeError, binascii.Error, ValueError, OverflowError):
        raise InvalidCursor("not a cursor of this list") from None
    if prefix != kind or not row_id or len(row_id) > _MAX_ID_LENGTH or not row_id.isprintable():
        raise InvalidCursor("not a cursor of this list")
    return at, row_id


def older_than(time_column, id_column, at, row_id) -> sa.ColumnElement[bool]:
    """Rows after ``(at, row_id)`` (values or bind parameters) in ``ORDER BY time DESC, id
    DESC``.

    Written as a range on the time column plus a tie-break, which every database can answer
    from an ``(owner, time, id)`` index without row-value comparison support.
    """
    return sa.and_(time_column <= at, sa.or_(time_column < at, id_column < row_id))


def page_size_max(bank_id: str) -> int:
    """The largest page ``bank_id`` serves: its fixture's ``page_size_max`` (fixtures are read
    once per process), else the bank row's settings."""
    for bank in catalog.banks():
        if bank["id"] == bank_id:
            return int(bank["page_size_max"])
    settings = db.session.scalar(sa.select(Bank.settings).where(Bank.id == bank_id)) or {}
    return int(settings.get("page_size_max", 50))
