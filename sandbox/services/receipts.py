"""Reading itemised receipts through a grant: those of the consent's accounts whose purchase
is visible (authorized by now, inside the consent's transaction window)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import Merchant, Receipt, Shipment, Transaction
from sandbox.services.paging import decode_cursor, encode_cursor, older_than
from sandbox.services.representation import receipt_dict
from sandbox.services.tokens import Grant, day_start

CURSOR_KIND = "r"


@dataclass(frozen=True, slots=True)
class Filters:
    """Receipt filters of the list endpoint; None means "any"."""

    account_id: str | None = None
    from_: date | None = None
    to: date | None = None


def visible_to(grant: Grant, accounts=None) -> list[sa.ColumnElement[bool]]:
    """The conditions under which a receipt (with its ``Transaction`` joined) is visible to
    ``grant``: on one of ``accounts`` (default: the consent's), its purchase authorized by
    now and inside the consent's transaction window. Whatever is reached through a receipt
    (its shipments) is visible under the same conditions, never more."""
    start, end = grant.window()
    conditions = [Receipt.account_id.in_(sorted(grant.account_ids if accounts is None
                                                else accounts)),
                  Transaction.authorized_at <= grant.now]
    if start is not None:
        conditions.append(Transaction.authorized_at >= start)
    if end is not None:
        conditions.append(Transaction.authorized_at < end)
    return conditions


def _visible(grant: Grant, accounts) -> sa.Select:
    return (sa.select(Receipt, Merchant)
            .join(Transaction, Transaction.id == Receipt.transaction_id)
            .outerjoin(Merchant, Merchant.id == Receipt.merchant_id)
            .where(*visible_to(grant, accounts)))


def _dicts(rows) -> list[dict]:
    ids = [receipt.id for receipt, _ in rows]
    parcels: dict[str, list[str]] = {receipt_id: [] for receipt_id in ids}
    if ids:
        for shipment_id, receipt_id in db.session.execute(
                sa.select(Shipment.id, Shipment.receipt_id)
                .where(Shipment.receipt_id.in_(ids)).order_by(Shipment.id)):
            parcels[receipt_id].append(shipment_id)
    return [receipt_dict(receipt, merchant, parcels[receipt.id]) for receipt, merchant in rows]


def receipt_page(grant: Grant, filters: Filters, limit: int,
                 cursor: str | None) -> dict | None:
    """``{"data", "next_cursor"}``: receipts newest first; None when ``account_id`` names an
    account the grant does not cover. Raises ``InvalidCursor``."""
    accounts = grant.account_ids
    if filters.account_id is not None:
        if filters.account_id not in accounts:
            return None
        accounts = {filters.account_id}
    query = _visible(grant, accounts)
    if filters.from_ is not None:
        query = query.where(Receipt.issued_at >= day_start(filters.from_))
    if filters.to is not None and filters.to != date.max:
        query = query.where(Receipt.issued_at < day_start(filters.to, 1))
    if cursor:
        at, row_id = decode_cursor(CURSOR_KIND, cursor)
        query = query.where(older_than(Receipt.issued_at, Receipt.id, at, row_id))
    rows = db.session.execute(
        query.order_by(Receipt.issued_at.desc(), Receipt.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = encode_cursor(CURSOR_KIND, last.issued_at, last.id)
    return {"data": _dicts(page), "next_cursor": next_cursor}


def get_receipt(grant: Grant, receipt_id: str) -> dict | None:
    """One receipt the grant may read, or None (unknown and foreign ids alike)."""
    row = db.session.execute(
        _visible(grant, grant.account_ids).where(Receipt.id == receipt_id)).first()
    return None if row is None else _dicts([row])[0]
