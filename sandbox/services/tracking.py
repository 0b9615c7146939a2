"""Reading shipments through a grant: a parcel is visible only through its receipt, so only
when that receipt is (on a consented account, its purchase authorized by the sandbox clock's
now and inside the consent's transaction window); status and events as they stand now."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import Receipt, Shipment, Transaction
from sandbox.services.paging import Keyset
from sandbox.services.receipts import visible_to
from sandbox.services.representation import shipment_dict
from sandbox.services.tokens import Grant

KEYSET = Keyset("s", Shipment.id, Shipment.shipped_at)
#: The 404 detail of a shipment the token cannot see (unknown and foreign ids alike).
NO_SHIPMENT = "No shipment with this id is visible to the token's consent."


def _visible(grant: Grant) -> sa.Select:
    return (sa.select(Shipment)
            .join(Receipt, Receipt.id == Shipment.receipt_id)
            .join(Transaction, Transaction.id == Receipt.transaction_id)
            .where(Shipment.customer_id == grant.customer_id, Receipt.issued_at <= grant.now,
                   *visible_to(grant)))


def shipment_page(session: Session, grant: Grant, status: str | None, limit: int,
                  cursor: str | None) -> dict:
    """``{"data", "next_cursor"}``: shipments by planned ship time, newest first, only those
    whose status at now is ``status`` when given. Raises ``InvalidCursor``.

    Status is a function of the clock, not a column: with a ``status`` filter the keyset
    query runs unlimited and rows are kept until the page is full (one more tells whether a
    next page exists)."""
    query = _visible(grant)
    if status is None:
        query = KEYSET.page(query, limit, cursor)
    else:
        query = KEYSET.page(query, limit, cursor).limit(None)
    rows: list[tuple] = []
    for shipment in session.scalars(query):
        body = shipment_dict(shipment, grant.now)
        if status is not None and body["status"] != status:
            continue
        rows.append((shipment, body))
        if len(rows) > limit:
            break
    page, next_cursor = KEYSET.cut(rows, limit, lambda row: (row[0].shipped_at, row[0].id))
    return {"data": [body for _, body in page], "next_cursor": next_cursor}


def get_shipment(session: Session, grant: Grant, shipment_id: str) -> dict:
    """One shipment the grant may see; ``NotFound`` for unknown, foreign and out-of-consent
    ids alike."""
    shipment = session.scalar(_visible(grant).where(Shipment.id == shipment_id))
    if shipment is None:
        raise NotFound(NO_SHIPMENT)
    return shipment_dict(shipment, grant.now)
