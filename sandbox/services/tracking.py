"""Reading shipments through a grant: a parcel is visible only through its receipt, so only
when that receipt is (on a consented account, its purchase authorized by the sandbox clock's
now and inside the consent's transaction window); status and events as they stand now."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import Receipt, Shipment, Transaction
from sandbox.services.paging import decode_cursor, encode_cursor, older_than
from sandbox.services.receipts import visible_to
from sandbox.services.representation import shipment_dict
from sandbox.services.tokens import Grant

CURSOR_KIND = "s"


def _visible(grant: Grant) -> sa.Select:
    return (sa.select(Shipment)
            .join(Receipt, Receipt.id == Shipment.receipt_id)
            .join(Transaction, Transaction.id == Receipt.transaction_id)
            .where(Shipment.customer_id == grant.customer_id, Receipt.issued_at <= grant.now,
                   *visible_to(grant)))


def shipment_page(grant: Grant, status: str | None, limit: int, cursor: str | None) -> dict:
    """``{"data", "next_cursor"}``: shipments by planned ship time, newest first, only those
    whose status at now is ``status`` when given. Raises ``InvalidCursor``."""
    query = _visible(grant).order_by(Shipment.shipped_at.desc(), Shipment.id.desc())
    if cursor:
        at, row_id = decode_cursor(CURSOR_KIND, cursor)
        query = query.where(older_than(Shipment.shipped_at, Shipment.id, at, row_id))
    if status is None:
        query = query.limit(limit + 1)
    data: list[dict] = []
    last = None
    more = False
    for shipment in db.session.scalars(query):
        body = shipment_dict(shipment, grant.now)
        if status is not None and body["status"] != status:
            continue
        if len(data) == limit:
            more = True
            break
        data.append(body)
        last = shipment
    next_cursor = encode_cursor(CURSOR_KIND, last.shipped_at, last.id) if more else None
    return {"data": data, "next_cursor": next_cursor}


def get_shipment(grant: Grant, shipment_id: str) -> dict | None:
    """One shipment the grant may see, or None (unknown, foreign and out-of-consent ids
    alike)."""
    shipment = db.session.scalar(_visible(grant).where(Shipment.id == shipment_id))
    return None if shipment is None else shipment_dict(shipment, grant.now)
