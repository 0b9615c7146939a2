"""The one keyset pager of every list, newest first: an opaque cursor names the last row of
the page before.

A page is "rows strictly older than the cursor in (instant, id) order", so rows that arrive
during a walk (always newer, or at least ordered by their own key) never shift the pages still
to come: walking every page yields every row exactly once. A cursor another list issued, or
none at all, answers 422 naming ``cursor`` (docs/data-api.md: a bad query argument), on the
data API and the control plane alike.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from sandbox.errors import Unprocessable

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_ID_LENGTH = 40
#: Page size of a bank whose row names none.
DEFAULT_PAGE_SIZE_MAX = 50


class QueryArgumentError(Unprocessable):
    """A query argument the list cannot take (422): ``detail`` for the problem, ``message``
    for its ``errors`` entry."""

    def __init__(self, detail: str, field: str, message: str) -> None:
        super().__init__(detail, field=field, location="query")
        self.message = message

    def problem_errors(self) -> list[dict]:
        return [{"path": self.field, "message": self.message, "location": self.location}]


class InvalidCursor(QueryArgumentError):
    """The cursor was not produced by this server for this kind of list."""

    def __init__(self) -> None:
        super().__init__("cursor: not a cursor of this list; pass the `next_cursor` of the "
                         "previous page.", "cursor", "Not a cursor of this list.")


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
        raise InvalidCursor() from None
    if prefix != kind or not row_id or len(row_id) > _MAX_ID_LENGTH or not row_id.isprintable():
        raise InvalidCursor()
    return at, row_id


def older_than(time_column, id_column, at, row_id) -> sa.ColumnElement[bool]:
    """Rows after ``(at, row_id)`` (values or bind parameters) in ``ORDER BY time DESC, id
    DESC``.

    Written as a range on the time column plus a tie-break, which every database can answer
    from an ``(owner, time, id)`` index without row-value comparison support.
    """
    return sa.and_(time_column <= at, sa.or_(time_column < at, id_column < row_id))


@dataclass(frozen=True)
class Keyset:
    """A list of ``kind`` ordered by ``time`` then ``id``, newest first; with ``time`` None,
    by an integer ``id`` alone (the cursor still carries the row's instant)."""

    kind: str
    id: sa.ColumnElement
    time: sa.ColumnElement | None = None

    def order(self) -> tuple:
        """The ``ORDER BY`` of the list."""
        if self.time is None:
            return (self.id.desc(),)
        return self.time.desc(), self.id.desc()

    def after(self, cursor: str) -> sa.ColumnElement[bool]:
        """The rows after ``cursor``; raises :class:`InvalidCursor`."""
        at, row_id = decode_cursor(self.kind, cursor)
        if self.time is None:
            if not row_id.isdigit():
                raise InvalidCursor()
            return self.id < int(row_id)
        return older_than(self.time, self.id, at, row_id)

    def page(self, query: sa.Select, limit: int, cursor: str | None) -> sa.Select:
        """``query`` ordered, after ``cursor``, with one row more than ``limit`` (which tells
        :meth:`cut` whether a next page exists)."""
        if cursor:
            query = query.where(self.after(cursor))
        return query.order_by(*self.order()).limit(limit + 1)

    def cut(self, rows: Sequence, limit: int,
            key: Callable[[object], tuple[datetime, str]]) -> tuple[Sequence, str | None]:
        """The page of ``rows`` (read with one more than ``limit``) and the cursor of the
        next page, or None; ``key`` answers a row's ``(instant, id)``."""
        page = rows[:limit]
        if len(rows) <= limit:
            return page, None
        at, row_id = key(page[-1])
        return page, encode_cursor(self.kind, at, str(row_id))


def page_limit(requested: int, bank_max: int) -> int:
    """``requested`` when the bank allows it; 422 naming ``limit`` otherwise."""
    if requested > bank_max:
        raise QueryArgumentError(f"limit: at most {bank_max} rows per page at this bank.",
                                 "limit", f"Must be between 1 and {bank_max} at this bank.")
    return requested


def equal_to(*filters: tuple) -> list[sa.ColumnElement[bool]]:
    """``column == value`` for each ``(column, value)`` of a list's optional filters that was
    given (not None)."""
    return [column == value for column, value in filters if value is not None]
