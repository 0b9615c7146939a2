"""Reading itemised receipts through a grant: those of the consent's accounts whose purchase
is visible (authorized by now, inside the consent's transaction window)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import Merchant, Receipt, Shipment, Transaction
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.paging import Keyset
from sandbox.services.representation import receipt_dict
from sandbox.services.tokens import Grant, day_start

KEYSET = Keyset("r", Receipt.id, Receipt.issued_at)
#: The 404 detail of a receipt the token cannot see (unknown and foreign ids alike).
NO_RECEIPT = "No receipt with this id is visible to the token's consent."


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


def _dicts(session: Session, rows) -> list[dict]:
    ids = [receipt.id for receipt, _ in rows]
    parcels: dict[str, list[str]] = {receipt_id: [] for receipt_id in ids}
    if ids:
        for shipment_id, receipt_id in session.execute(
                sa.select(Shipment.id, Shipment.receipt_id)
                .where(Shipment.receipt_id.in_(ids)).order_by(Shipment.id)):
            parcels[receipt_id].append(shipment_id)
    return [receipt_dict(receipt, merchant, parcels[receipt.id]) for receipt, merchant in rows]


def receipt_page(session: Session, grant: Grant, filters: Filters, limit: int,
                 cursor: str | None) -> dict:
    """``{"data", "next_cursor"}``: receipts newest first. Raises ``NotFound`` when
    ``account_id`` names an account the grant does not cover, ``InvalidCursor``."""
    accounts = grant.account_ids
    if filters.account_id is not None:
        if filters.account_id not in accounts:
            raise NotFound(NO_ACCOUNT)
        accounts = {filters.account_id}
    query = _visible(grant, accounts)
    if filters.from_ is not None:
        query = query.where(Receipt.issued_at >= day_start(filters.from_))
    if filters.to is not None and filters.to != date.max:
        query = query.where(Receipt.issued_at < day_start(filters.to, 1))
    rows = session.execute(KEYSET.page(query, limit, cursor)).all()
    page, next_cursor = KEYSET.cut(rows, limit, lambda row: (row[0].issued_at, row[0].id))
    return {"data": _dicts(session, page), "next_cursor": next_cursor}


def get_receipt(session: Session, grant: Grant, receipt_id: str) -> dict:
    """One receipt the grant may read; ``NotFound`` for unknown and foreign ids alike."""
    row = session.execute(
        _visible(grant, grant.account_ids).where(Receipt.id == receipt_id)).first()
    if row is None:
        raise NotFound(NO_RECEIPT)
    return _dicts(session, [row])[0]
