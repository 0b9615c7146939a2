"""The access log (DESIGN.md §3): one row per data read, so a person sees who read what."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.models import AccessLogEntry
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
