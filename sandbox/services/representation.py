"""Rows as the API and the export show them (DESIGN.md §5 "Resource fields"): one place for
the field names, money as two-place strings, instants as ISO 8601 UTC with a ``Z``.

Every function takes an ORM object or a Core row (anything with the column attributes).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sandbox.clock import iso
from sandbox.services import shipments
from sandbox.services.banks import issuer_url, logo_url
from sandbox.vocabulary import LIABILITIES


def dumps(value) -> str:
    """Compact JSON text, as the data API answers and stores it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def money(value: Decimal | None) -> str | None:
    """A decimal string with two places, or None."""
    return None if value is None else f"{value:.2f}"


def instant(value: datetime | None) -> str | None:
    """ISO 8601 UTC (``2026-03-01T14:03:00Z``), or None."""
    return None if value is None else iso(value)


def day(value: date | None) -> str | None:
    """``YYYY-MM-DD``, or None."""
    return None if value is None else value.isoformat()


def bank_dict(bank, base_url: str) -> dict:
    """A bank: identity, issuer, brand and products."""
    issuer = issuer_url(base_url, bank.id)
    brand = bank.settings["brand"]
    return {
        "id": bank.id, "name": bank.name, "issuer": issuer,
        "routing_number": bank.routing_number,
        "brand": {"primary_color": brand["primary_color"], "logo_url": logo_url(issuer)},
        "products": [{"code": p["code"], "type": p["type"], "name": p["name"]}
                     for p in bank.settings["products"]],
    }


def customer_dict(customer) -> dict:
    """A customer (the export's customer, the API's identity)."""
    return {
        "id": customer.id, "username": customer.username, "name": customer.name,
        "email": customer.email, "phone": customer.phone,
        "address": {"line1": customer.line1, "city": customer.city, "region": customer.region,
                    "postal_code": customer.postal_code, "country": customer.country},
        "home": {"lat": customer.home_lat, "lon": customer.home_lon},
    }


def account_dict(account) -> dict:
    """An account; cards add ``credit_limit``, ``statement_day``, ``minimum_payment`` and
    ``payment_due_on`` (of the last statement)."""
    body = {
        "id": account.id, "bank_id": account.bank_id, "type": account.type,
        "name": account.name, "nickname": account.nickname, "mask": account.mask,
        "currency": account.currency, "status": account.status,
        "opened_on": day(account.opened_on), "routing_number": account.routing_number,
    }
    if account.type == "credit_card":
        body.update(credit_limit=money(account.credit_limit), statement_day=account.statement_day,
                    minimum_payment=money(account.minimum_payment),
                    payment_due_on=day(account.payment_due_on))
    return body


def balances_dict(account, now: datetime) -> dict:
    """Balances at ``now``. Deposits: ``current`` = opening + posted, ``available`` less
    pending debits. Cards: ``current`` = amount owed, ``available`` = limit − owed − pending
    purchases. Loans and mortgages: ``current`` = amount owed, no ``available``."""
    current = account.current_balance
    pending = account.pending_total or Decimal("0.00")
    pending_debits = min(pending, Decimal("0.00"))
    body = {"current": money(current), "currency": account.currency, "as_of": instant(now)}
    if account.type == "credit_card":
        body["available"] = money(account.credit_limit - current + pending_debits)
        body["credit_limit"] = money(account.credit_limit)
    elif account.type in LIABILITIES:
        body["available"] = None
    else:
        body["available"] = money(current + pending_debits)
    return body


def merchant_dict(merchant) -> dict | None:
    """A merchant of the catalogue, or None."""
    if merchant is None:
        return None
    return {"id": merchant.id, "name": merchant.name, "category": merchant.category,
            "mcc": merchant.mcc, "website": merchant.website}


def location_dict(row) -> dict | None:
    """Where an in-store movement happened, or None."""
    if row.location_city is None:
        return None
    return {"line1": row.location_line1, "city": row.location_city,
            "region": row.location_region, "postal_code": row.location_postal_code,
            "country": row.location_country, "lat": row.location_lat, "lon": row.location_lon}


def transaction_dict(row, merchant=None) -> dict:
    """A transaction; ``merchant`` is the row's merchant (a row, or its ``merchant_dict``
    when the caller has built it already), or None. Pending rows have no ``posted_at`` and
    no ``running_balance``."""
    posted = row.status == "posted"
    if merchant is not None and not isinstance(merchant, dict):
        merchant = merchant_dict(merchant)
    return {
        "id": row.id, "account_id": row.account_id, "amount": money(row.amount),
        "currency": row.currency, "status": row.status,
        "authorized_at": instant(row.authorized_at),
        "posted_at": instant(row.posted_at) if posted else None,
        "description": row.description, "category": row.category, "channel": row.channel,
        "merchant": merchant, "location": location_dict(row),
        "running_balance": money(row.running_balance) if posted else None,
        "counterparty_account_id": row.counterparty_account_id, "receipt_id": row.receipt_id,
    }


def shipment_dict(row, now: datetime) -> dict:
    """A shipment as it stands at ``now``: visible events, status, delivery."""
    progress = shipments.progress(row.events, row.shipped_at, now)
    return {
        "id": row.id, "order_id": row.order_id, "receipt_id": row.receipt_id,
        "carrier": row.carrier, "tracking_number": row.tracking_number,
        "status": progress["status"], "shipped_at": progress["shipped_at"],
        "estimated_delivery": day(row.estimated_delivery),
        "delivered_at": progress["delivered_at"], "events": progress["events"],
    }


def receipt_dict(row, merchant, shipment_list: list) -> dict:
    """A receipt; ``merchant`` as for :func:`transaction_dict`; ``shipment_list`` holds
    shipment ids (API) or shipment dicts (export)."""
    if merchant is not None and not isinstance(merchant, dict):
        merchant = merchant_dict(merchant)
    return {
        "id": row.id, "transaction_id": row.transaction_id, "merchant": merchant,
        "issued_at": instant(row.issued_at), "currency": row.currency,
        "line_items": row.line_items, "subtotal": money(row.subtotal), "tax": money(row.tax),
        "tip": money(row.tip), "shipping": money(row.shipping), "total": money(row.total),
        "order_id": row.order_id, "shipments": shipment_list,
    }
