"""The access log (DESIGN.md §3): one row per data read, so a person sees who read what;
QA reads it back filtered, newest first, keyset-paged."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import AccessLogEntry, Customer
from sandbox.services.paging import InvalidCursor, decode_cursor, encode_cursor
from sandbox.services.prepared import Prepared
from sandbox.services.tokens import Grant

_PATH_LENGTH = 300
_COLUMNS = ("bank_id", "client_id", "customer_id", "consent_id", "resource", "resource_id",
            "path", "at")
_INSERT = Prepared(sa.insert(AccessLogEntry).values(
    {name: sa.bindparam(name, type_=AccessLogEntry.__table__.c[name].type) for name in _COLUMNS}))


def record(connection: sa.Connection, grant: Grant, resource: str, resource_id: str | None,
           path: str) -> None:
    """Log that ``grant`` read ``resource`` (``resource_id`` names the account or item) at
    ``path``, and commit ``connection``: one small INSERT, run as a prepared statement (so
    committed on the DB-API connection too)."""
    _INSERT.execute(connection, {
        "bank_id": grant.bank_id, "client_id": grant.client_id,
        "customer_id": grant.customer_id, "consent_id": grant.consent_id,
        "resource": resource, "resource_id": resource_id, "path": path[:_PATH_LENGTH],
        "at": grant.now,
    })
    connection.commit()
    connection.connection.commit()


_CURSOR_KIND = "access-log"


def access_log_page(*, bank_id: str | None = None, client_id: str | None = None,
                    customer_id: str | None = None, username: str | None = None,
                    consent_id: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict:
    """One page of access-log entries matching every given filter, newest first.

    Answers ``{"data": [...], "next_cursor": str | None}``; raises ``InvalidCursor``.
    """
    query = (sa.select(AccessLogEntry, Customer.username)
             .outerjoin(Customer, Customer.id == AccessLogEntry.customer_id)
             .order_by(AccessLogEntry.id.desc()).limit(limit + 1))
    for column, value in ((AccessLogEntry.bank_id, bank_id),
                          (AccessLogEntry.client_id, client_id),
                          (AccessLogEntry.customer_id, customer_id),
                          (Customer.username, username),
                          (AccessLogEntry.consent_id, consent_id)):
        if value is not None:
            query = query.where(column == value)
    if cursor:
        at, row_id = decode_cursor(_CURSOR_KIND, cursor)
        if not row_id.isdigit():
            raise InvalidCursor("not a cursor of this list")
        query = query.where(AccessLogEntry.id < int(row_id))
    rows = db.session.execute(query).all()
    page = rows[:limit]
    data = [{"id": entry.id, "at": entry.at, "bank_id": entry.bank_id,
             "client_id": entry.client_id, "customer_id": entry.customer_id,
             "username": name, "consent_id": entry.consent_id, "resource": entry.resource,
             "resource_id": entry.resource_id, "path": entry.path} for entry, name in page]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = encode_cursor(_CURSOR_KIND, last.at, str(last.id))
    return {"data": data, "next_cursor": next_cursor}
