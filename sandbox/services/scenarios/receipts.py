"""Receipts of a scenario's purchases: line items, charges and totals that add up to what
the transaction paid, and the parcels of an online order."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sandbox.models import Account, Customer, Merchant
from sandbox.services.scenarios.loader import Loader
from sandbox.services.scenarios.parcels import build_parcel

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def build_receipt(load: Loader, doc: dict, account: Account, customer: Customer,
                  transaction_id: str, suffix: str, amount: Decimal, authorized: datetime,
                  merchant: Merchant | None, path: str) -> tuple[dict, list[dict]] | None:
    """The receipt row of a purchase and its parcels' rows, or None after recording an error
    (the line items, charges and total must add up to what the transaction paid)."""
    if merchant is None:
        load.error(path, "A receipt needs the transaction's `merchant`.")
        return None
    if amount >= 0:
        load.error(path, "A receipt belongs to a purchase (a negative amount).")
        return None
    paid = -amount
    charges = doc["tax"] + doc["tip"] + doc["shipping"]
    lines = []
    for index, line in enumerate(doc.get("line_items") or ()):
        total = (line["unit_price"] * line["quantity"]).quantize(CENT)
        if "total" in line and line["total"] != total:
            load.error(f"{path}.line_items[{index}].total",
                       f"quantity × unit_price is {total}, not {line['total']}.")
        lines.append({"sku": line.get("sku") or f"SKU-{index + 1:03d}",
                      "description": line["description"], "quantity": line["quantity"],
                      "unit_price": str(line["unit_price"]), "total": str(total)})
    subtotal = sum((Decimal(line["total"]) for line in lines), ZERO) if lines \
        else doc.get("subtotal", paid - charges)
    if not lines:
        lines = [{"sku": "SKU-001", "description": merchant.name, "quantity": 1,
                  "unit_price": str(subtotal), "total": str(subtotal)}]
    if "subtotal" in doc and doc["subtotal"] != subtotal:
        load.error(f"{path}.subtotal", f"The line items add up to {subtotal}.")
    total = subtotal + charges
    if "total" in doc and doc["total"] != total:
        load.error(f"{path}.total", f"subtotal + tax + tip + shipping is {total}.")
    elif total != paid:
        load.error(f"{path}.total", f"The receipt totals {total} but the transaction "
                                    f"paid {paid}.")
    receipt_id = doc.get("id") or f"rcp_{suffix}"
    order_id = doc.get("order_id") or (f"ord_{suffix}" if doc["shipments"] else None)
    receipt = {"id": receipt_id, "transaction_id": transaction_id, "account_id": account.id,
               "merchant_id": merchant.id, "issued_at": doc.get("issued_at") or authorized,
               "currency": doc.get("currency") or account.currency, "line_items": lines,
               "subtotal": subtotal, "tax": doc["tax"], "tip": doc["tip"],
               "shipping": doc["shipping"], "total": total, "order_id": order_id}
    parcels = []
    for index, shipment in enumerate(doc["shipments"]):
        parcel = build_parcel(load, shipment, customer, receipt, f"{suffix}{index}", authorized,
                                f"{path}.shipments[{index}]")
        if parcel is not None:
            parcels.append(parcel)
    return receipt, parcels
