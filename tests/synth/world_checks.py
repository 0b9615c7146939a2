"""The invariants of DESIGN.md §5, checked on an export (what a user of the sandbox sees)."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from sandbox.catalog import aba_checksum_ok
from sandbox.vocabulary import CATEGORIES

MONEY = re.compile(r"^-?\d+\.\d{2}$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
CHANNELS = {"in_store", "online", "atm", "ach", "transfer", "check", "fee", "interest"}
ACCOUNT_TYPES = {"checking", "savings", "credit_card", "loan", "mortgage"}
LIABILITIES = {"credit_card", "loan", "mortgage"}
SHIPMENT_STATUSES = {"label_created", "in_transit", "out_for_delivery", "delivered", "delayed",
                     "exception"}


def money(text: str) -> Decimal:
    assert MONEY.match(text), text
    return Decimal(text)


def check_world(world: dict) -> Counter:
    """Assert every invariant on an exported world; return counts of what was checked."""
    seen: Counter = Counter()
    ids: set[str] = set()
    as_of = world["as_of"]
    assert INSTANT.match(as_of)
    for bank in world["banks"]:
        assert aba_checksum_ok(bank["routing_number"])
        for customer in bank["customers"]:
            _unique(ids, customer["id"])
            accounts = {account["id"]: account for account in customer["accounts"]}
            for account in customer["accounts"]:
                _unique(ids, account["id"])
                assert account["routing_number"] == bank["routing_number"]
                _check_account(account, accounts, as_of, ids, seen)
            seen["customers"] += 1
    return seen


def _unique(ids: set[str], value: str) -> None:
    assert value not in ids, f"duplicate id {value}"
    ids.add(value)


def _check_account(account: dict, siblings: dict, as_of: str, ids: set, seen: Counter) -> None:
    assert account["type"] in ACCOUNT_TYPES
    assert re.fullmatch(r"\d{4}", account["mask"])
    liability = account["type"] in LIABILITIES
    sign = -1 if liability else 1
    transactions = account["transactions"]
    pending = Decimal("0.00")
    for row in transactions:
        _unique(ids, row["id"])
        _check_transaction(row, account, siblings, as_of, seen)
        if row["status"] == "pending":
            pending += money(row["amount"])
    posted = sorted((row for row in transactions if row["status"] == "posted"),
                    key=lambda row: (row["posted_at"], row["id"]))
    balances = account["balances"]
    current = money(balances["current"])
    if posted:
        balance = money(posted[0]["running_balance"]) - sign * money(posted[0]["amount"])
        for row in posted:
            balance += sign * money(row["amount"])
            assert money(row["running_balance"]) == balance, row["id"]
        assert current == balance, account["id"]
    pending_debits = min(pending, Decimal("0.00"))
    if account["type"] == "credit_card":
        limit = money(account["credit_limit"])
        assert money(balances["credit_limit"]) == limit
        assert money(balances["available"]) == limit - current + pending_debits
        assert 1 <= account["statement_day"] <= 28
    elif liability:
        assert balances["available"] is None
    else:
        assert money(balances["available"]) == current + pending_debits
    seen["accounts"] += 1


def _check_transaction(row: dict, account: dict, siblings: dict, as_of: str,
                       seen: Counter) -> None:
    assert row["account_id"] == account["id"]
    assert row["currency"] == "USD"
    amount = money(row["amount"])
    assert amount != 0
    assert row["category"] in CATEGORIES, row["category"]
    assert row["channel"] in CHANNELS
    assert INSTANT.match(row["authorized_at"]) and row["authorized_at"] <= as_of
    if row["status"] == "posted":
        assert row["authorized_at"] <= row["posted_at"] <= as_of
        money(row["running_balance"])
    else:
        assert row["status"] == "pending"
        assert row["posted_at"] is None and row["running_balance"] is None
        seen["pending"] += 1
    merchant = row["merchant"]
    if merchant is not None:
        assert re.fullmatch(r"\d{4}", merchant["mcc"]) and merchant["category"] in CATEGORIES
        if row["channel"] == "online":
            assert merchant["website"].startswith("https://")
    location = row["location"]
    if row["channel"] in ("in_store", "atm"):
        assert -90 <= location["lat"] <= 90 and -180 <= location["lon"] <= 180
        assert location["city"] and location["region"] and location["country"] == "US"
    if row["channel"] == "online":
        assert location is None
    if row["counterparty_account_id"] is not None:
        _check_transfer(row, siblings)
        seen["transfers"] += 1
    if row["receipt"] is not None:
        _check_receipt(row, as_of, seen)
    else:
        assert row["receipt_id"] is None
    seen["transactions"] += 1


def _check_transfer(row: dict, siblings: dict) -> None:
    other = siblings[row["counterparty_account_id"]]
    matches = [twin for twin in other["transactions"]
               if twin["counterparty_account_id"] == row["account_id"]
               and twin["authorized_at"] == row["authorized_at"]
               and money(twin["amount"]) == -money(row["amount"])]
    assert matches, f"{row['id']} has no other side"


def _check_receipt(row: dict, as_of: str, seen: Counter) -> None:
    receipt = row["receipt"]
    assert receipt["id"] == row["receipt_id"] and receipt["transaction_id"] == row["id"]
    assert receipt["merchant"] == row["merchant"]
    assert receipt["issued_at"] == row["authorized_at"]
    subtotal = Decimal("0.00")
    for line in receipt["line_items"]:
        assert line["quantity"] >= 1
        assert money(line["unit_price"]) * line["quantity"] == money(line["total"])
        subtotal += money(line["total"])
    assert subtotal == money(receipt["subtotal"])
    total = sum(money(receipt[name]) for name in ("subtotal", "tax", "tip", "shipping"))
    assert total == money(receipt["total"]) == -money(row["amount"])
    for shipment in receipt["shipments"]:
        _check_shipment(shipment, receipt, row, as_of, seen)
    seen["receipts"] += 1


def _check_shipment(shipment: dict, receipt: dict, row: dict, as_of: str, seen: Counter) -> None:
    assert shipment["receipt_id"] == receipt["id"] and shipment["order_id"] == receipt["order_id"]
    events = shipment["events"]
    assert events, shipment["id"]
    times = [event["at"] for event in events]
    assert times == sorted(times) and times[-1] <= as_of
    assert all(event["status"] in SHIPMENT_STATUSES for event in events)
    assert shipment["status"] == events[-1]["status"]
    if shipment["shipped_at"] is not None:
        assert shipment["shipped_at"] >= row["authorized_at"]
        assert date.fromisoformat(shipment["estimated_delivery"]) >= \
            date.fromisoformat(shipment["shipped_at"][:10])
    delivered = [event["at"] for event in events if event["status"] == "delivered"]
    assert shipment["delivered_at"] == (delivered[0] if delivered else None)
    assert shipment["tracking_number"] and shipment["carrier"]
    seen["shipments"] += 1
    seen[f"shipment_{shipment['status']}"] += 1
