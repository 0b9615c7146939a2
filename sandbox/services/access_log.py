"""The access log (DESIGN.md §3): one row per data read, so a person sees who read what;
QA reads it back filtered, newest first, keyset-paged."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.durations import Duration
from sandbox.fastpath import Prepared
from sandbox.models import AccessLogEntry, Customer
from sandbox.services.paging import Keyset, equal_to
from sandbox.services.tokens import Grant

_PATH_LENGTH = 300
_COLUMNS = ("bank_id", "client_id", "customer_id", "consent_id", "resource", "resource_id",
            "path", "at")
#: The prepared INSERT of an entry (:func:`entry`).
INSERT = Prepared(sa.insert(AccessLogEntry).values(
    {name: sa.bindparam(name, type_=AccessLogEntry.__table__.c[name].type) for name in _COLUMNS}))
#: Entries in insertion order, newest first (the sandbox clock may be moved back).
KEYSET = Keyset("access-log", AccessLogEntry.id)


def entry(grant: Grant, resource: str, resource_id: str | None, path: str) -> dict:
    """The entry logging that ``grant`` read ``resource`` (``resource_id`` names the account
    or item) at ``path``: the values of :data:`INSERT`."""
    return {"bank_id": grant.bank_id, "client_id": grant.client_id,
            "customer_id": grant.customer_id, "consent_id": grant.consent_id,
            "resource": resource, "resource_id": resource_id, "path": path[:_PATH_LENGTH],
            "at": grant.now}


#: Entries deleted per statement, and per call, by :func:`prune`.
PRUNE_BATCH = 5_000
PRUNE_BATCHES = 4


def prune(session: Session, *, now: datetime, retention: Duration,
          batch: int = PRUNE_BATCH, batches: int = PRUNE_BATCHES) -> int:
    """Delete entries older than ``retention`` before ``now`` (a job of the worker), at most
    ``batch`` per statement and ``batches`` statements per call, so that no pass holds the
    table long; the next pass goes on. Answers how many went."""
    cutoff = retention.before(now)
    deleted = 0
    for _ in range(batches):
        oldest = (sa.select(AccessLogEntry.id).where(AccessLogEntry.at < cutoff)
                  .limit(batch).scalar_subquery())
        gone = session.execute(sa.delete(AccessLogEntry).where(AccessLogEntry.id.in_(oldest))
                               .execution_options(synchronize_session=False)).rowcount
        deleted += gone
        if gone < batch:
            break
    return deleted


def access_log_page(session: Session, *, bank_id: str | None = None,
                    client_id: str | None = None, customer_id: str | None = None,
                    username: str | None = None, consent_id: str | None = None,
                    limit: int = 50, cursor: str | None = None) -> dict:
    """One page of access-log entries matching every given filter, newest first.

    Answers ``{"data": [...], "next_cursor": str | None}``; raises ``InvalidCursor``.
    """
    query = (sa.select(AccessLogEntry, Customer.username)
             .outerjoin(Customer, Customer.id == AccessLogEntry.customer_id)
             .where(*equal_to((AccessLogEntry.bank_id, bank_id),
                              (AccessLogEntry.client_id, client_id),
                              (AccessLogEntry.customer_id, customer_id),
                              (Customer.username, username),
                              (AccessLogEntry.consent_id, consent_id))))
    rows = session.execute(KEYSET.page(query, limit, cursor)).all()
    page, next_cursor = KEYSET.cut(rows, limit, lambda row: (row[0].at, row[0].id))
    data = [{"id": entry.id, "at": entry.at, "bank_id": entry.bank_id,
             "client_id": entry.client_id, "customer_id": entry.customer_id,
             "username": name, "consent_id": entry.consent_id, "resource": entry.resource,
             "resource_id": entry.resource_id, "path": entry.path} for entry, name in page]
    return {"data": data, "next_cursor": next_cursor}
