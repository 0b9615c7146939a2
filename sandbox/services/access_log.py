"""The access log (DESIGN.md §3): one row per data read, so a person sees who read what."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.models import AccessLogEntry
from sandbox.services.tokens import Grant

_PATH_LENGTH = 300
_INSERT = sa.insert(AccessLogEntry)


def record(connection: sa.Connection, grant: Grant, resource: str, resource_id: str | None,
           path: str) -> None:
    """Log that ``grant`` read ``resource`` (``resource_id`` names the account or item) at
    ``path``, and commit ``connection``: one small INSERT."""
    connection.execute(_INSERT, {
        "bank_id": grant.bank_id, "client_id": grant.client_id,
        "customer_id": grant.customer_id, "consent_id": grant.consent_id,
        "resource": resource, "resource_id": resource_id, "path": path[:_PATH_LENGTH],
        "at": grant.now,
    })
    connection.commit()
