"""Transactions of a scenario, or injected into an account: rows added or replaced by id,
with their receipts and parcels; card purchases on a locked card declined instead."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sandbox.models import (
    Account, Customer, Merchant, Receipt, Shipment, Transaction,
)
from sandbox.services import manage
from sandbox.services.representation import money
from sandbox.services.scenarios.loader import Loader
from sandbox.services.scenarios.receipts import build_receipt
from sandbox.synth import keys
from sandbox.vocabulary import CARD_CHANNELS

#: Days after authorisation a pending row posts when the document does not say.
PENDING_DAYS = 2


def apply_transactions(load: Loader, account: Account, docs: list[dict], path: str, *,
                       decline: bool = False) -> list[str]:
    """Add or replace ``docs`` in ``account``; answers their ids. With ``decline``, card
    purchases are recorded as declined (``load.declined``) instead."""
    rows, receipts, shipments, ids, positions = [], [], [], [], []
    customer = load.session.get(Customer, account.customer_id)
    for index, doc in enumerate(docs):
        where = f"{path}[{index}]"
        built = _transaction(load, account, customer, doc, index, len(docs), where)
        if built is None:
            continue
        row, receipt, parcels = built
        rows.append(row)
        positions.append(index)
        ids.append(row["id"])
        if receipt:
            receipts.append(receipt)
        shipments.extend(parcels)
    _check_owners(load, account, rows, path)
    if not rows or load.errors:
        return ids
    if decline:
        rows, receipts, shipments = _decline(load, account, rows, positions, receipts,
                                             shipments)
        ids = [row["id"] for row in rows]
        if not rows:
            return ids
    replaced = [row["id"] for row in rows]
    old_receipts = sa.select(Receipt.id).where(Receipt.transaction_id.in_(replaced))
    load.session.execute(sa.delete(Shipment).where(Shipment.receipt_id.in_(old_receipts)))
    load.session.execute(sa.delete(Receipt).where(Receipt.transaction_id.in_(replaced)))
    load.session.execute(sa.delete(Transaction).where(Transaction.id.in_(replaced)))
    connection = load.session.connection()
    for model, batch in ((Transaction, rows), (Receipt, receipts), (Shipment, shipments)):
        if batch:
            connection.execute(sa.insert(model.__table__), batch)
    load.touch(account.id, min(row["posts_at"] for row in rows))
    load.posted.extend(row["id"] for row in rows if row["status"] == "posted")
    load.counts["transactions"] += len(rows)
    load.counts["receipts"] += len(receipts)
    load.counts["shipments"] += len(shipments)
    return ids


def _decline(load: Loader, account: Account, rows: list[dict], positions: list[int],
             receipts: list[dict], shipments: list[dict]) -> tuple[list, list, list]:
    """Record the card purchases among ``rows`` as declined; answers the rows, receipts
    and parcels that remain."""
    kept, gone = [], set()
    for row, position in zip(rows, positions):
        if row["channel"] not in CARD_CHANNELS or row["amount"] >= 0:
            kept.append(row)
            continue
        declined = manage.decline(
            load.session, account, amount=row["amount"], description=row["description"],
            channel=row["channel"], attempted_at=row["authorized_at"],
            merchant_id=row["merchant_id"])
        load.declined.append({"index": position, "id": declined.id,
                              "amount": money(row["amount"]), "currency": declined.currency,
                              "description": declined.description,
                              "attempted_at": declined.attempted_at,
                              "reason": declined.reason})
        if row["receipt_id"]:
            gone.add(row["receipt_id"])
    return (kept, [r for r in receipts if r["id"] not in gone],
            [s for s in shipments if s["receipt_id"] not in gone])


def _check_owners(load: Loader, account: Account, rows: list[dict], path: str) -> None:
    """Record an error for every row whose id is another account's transaction."""
    positions = {row["id"]: index for index, row in enumerate(rows)}
    ids = list(positions)
    for start in range(0, len(ids), 500):
        foreign = load.session.execute(sa.select(Transaction.id).where(
            Transaction.id.in_(ids[start:start + 500]),
            Transaction.account_id != account.id)).scalars()
        for transaction_id in foreign:
            load.error(f"{path}[{positions[transaction_id]}].id",
                       f"Transaction {transaction_id!r} belongs to another account.")


def _transaction(load: Loader, account: Account, customer: Customer, doc: dict, index: int,
                 count: int, path: str) -> tuple[dict, dict | None, list[dict]] | None:
    """The row of ``doc`` with its receipt and parcels, or None after recording an error."""
    at = load.at
    authorized = doc.get("authorized_at") or load.now - timedelta(minutes=count - index)
    amount = doc["amount"]
    if authorized > load.now:
        load.error(at(path, "authorized_at"), "Must not be after the sandbox clock's now.")
        return None
    if doc["status"] == "posted":
        if doc.get("posts_at"):
            load.error(at(path, "posts_at"), "Only pending rows have `posts_at`; "
                                             "give `posted_at`.")
        posts = doc.get("posted_at") or authorized
        if posts > load.now or posts < authorized:
            load.error(at(path, "posted_at"), "Must lie between `authorized_at` and now.")
            return None
    else:
        if doc.get("posted_at"):
            load.error(at(path, "posted_at"), "A pending row has not posted: leave it out.")
        posts = doc.get("posts_at") or max(authorized, load.now) + timedelta(days=PENDING_DAYS)
        if posts <= load.now:
            load.error(at(path, "posts_at"), "A pending row posts after now.")
            return None
    merchant = _merchant(load, doc.get("merchant"), at(path, "merchant"))
    if merchant is False:
        return None
    counterparty = doc.get("counterparty_account_id")
    if counterparty and load.session.get(Account, counterparty) is None:
        load.error(at(path, "counterparty_account_id"), f"No account {counterparty!r}.")
    token = doc.get("id") or "txn_" + keys.token(account.id, "scenario", authorized.isoformat(),
                                                amount, index)
    suffix = token.split("_", 1)[-1]
    location = doc.get("location") or {}
    channel = doc.get("channel") or ("in_store" if location else "online" if merchant
                                     else "transfer" if counterparty else "ach")
    category = doc.get("category") or (merchant.category if merchant else
                                       "income" if amount > 0 else "shopping")
    description = doc.get("description") or (merchant.name.upper() if merchant else
                                             "DEPOSIT" if amount > 0 else "PAYMENT")
    receipt, parcels = None, []
    if doc.get("receipt"):
        built = build_receipt(load, doc["receipt"], account, customer, token, suffix, amount,
                              authorized, merchant, at(path, "receipt"))
        if built is None:
            return None
        receipt, parcels = built
    row = {
        "id": token, "account_id": account.id, "amount": amount,
        "currency": doc.get("currency") or account.currency, "status": doc["status"],
        "authorized_at": authorized, "posted_at": posts if doc["status"] == "posted" else None,
        "posts_at": posts, "description": description, "category": category,
        "channel": channel, "merchant_id": merchant.id if merchant else None,
        "location_line1": location.get("line1"), "location_city": location.get("city"),
        "location_region": location.get("region"),
        "location_postal_code": location.get("postal_code"),
        "location_country": location.get("country", "US") if location else None,
        "location_lat": location.get("lat"), "location_lon": location.get("lon"),
        "running_balance": None, "counterparty_account_id": counterparty,
        "receipt_id": receipt["id"] if receipt else None,
    }
    return row, receipt, parcels


def _merchant(load: Loader, doc: dict | None, path: str) -> Merchant | None | bool:
    """The merchant a transaction names: None, a Merchant, or False after an error."""
    if not doc:
        return None
    if doc.get("id"):
        merchant = load.merchants.get(doc["id"])
        if merchant is None:
            load.error(f"{path}.id", f"No merchant {doc['id']!r} in the catalogue.")
            return False
        return merchant
    merchant_id = "mch_" + "".join(c for c in doc["name"].lower() if c.isalnum())[:30]
    merchant = load.merchants.get(merchant_id)
    if merchant is None:
        merchant = Merchant(id=merchant_id, name=doc["name"],
                            category=doc.get("category", "shopping"),
                            mcc=doc.get("mcc", "5999"), website=doc.get("website"))
        load.session.add(merchant)
        load.session.flush()
        load.merchants[merchant_id] = merchant
    return merchant
