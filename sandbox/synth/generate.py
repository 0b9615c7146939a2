"""One customer's world as rows, as the sandbox clock shows it at ``now``.

The simulation (:mod:`sandbox.synth.profiles`) plans everything; here the clock decides what
exists: movements authorized by ``now``, posted once their posting instant has passed, with
running balances in posting order ``(posts_at, id)``.

Rows of the big tables are tuples in the column order of ``TRANSACTION_COLUMNS``,
``RECEIPT_COLUMNS`` and ``SHIPMENT_COLUMNS``, with money in integer cents and instants in
Unix seconds; :mod:`sandbox.synth.store` converts them for the database.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sandbox.synth.context import World
from sandbox.synth.profiles import ledger_for
from sandbox.synth.ledger import (
    ACCOUNT, AMOUNT, AUTHORIZED, CATEGORY, CHANNEL, COUNTERPARTY, DESCRIPTION, ID, LOCATION,
    MERCHANT, POSTS, RECEIPT, Ledger, Statement,
)
from sandbox.synth.people import AccountPlan, CustomerPlan, plan_customer
from sandbox.vocabulary import CARD_CHANNELS

CURRENCY = "USD"
NO_LOCATION = (None,) * 7
TRANSACTION_COLUMNS = (
    "id", "account_id", "amount", "currency", "status", "authorized_at", "posted_at",
    "posts_at", "description", "category", "channel", "merchant_id", "location_line1",
    "location_city", "location_region", "location_postal_code", "location_country",
    "location_lat", "location_lon", "running_balance", "counterparty_account_id", "receipt_id",
)
RECEIPT_COLUMNS = (
    "id", "transaction_id", "account_id", "merchant_id", "issued_at", "line_items", "subtotal",
    "tax", "tip", "shipping", "total", "order_id", "currency",
)
SHIPMENT_COLUMNS = (
    "id", "receipt_id", "customer_id", "order_id", "carrier", "tracking_number", "shipped_at",
    "estimated_delivery", "events",
)
#: Index of the order instant in a generated shipment tuple (dropped from the row).
ORDERED_AT = len(SHIPMENT_COLUMNS)
ISSUED_AT = RECEIPT_COLUMNS.index("issued_at")
STATUS = TRANSACTION_COLUMNS.index("status")
POSTED_AT = TRANSACTION_COLUMNS.index("posted_at")
RUNNING_BALANCE = TRANSACTION_COLUMNS.index("running_balance")
#: Channels of card purchases (a card that is locked declines them).
_ACCOUNT_ID, _AMOUNT, _CHANNEL, _RECEIPT_ID = (
    TRANSACTION_COLUMNS.index(name) for name in ("account_id", "amount", "channel", "receipt_id"))
_RECEIPT_OWN_ID = RECEIPT_COLUMNS.index("id")
_SHIPMENT_RECEIPT = SHIPMENT_COLUMNS.index("receipt_id")


def to_money(amount: int) -> Decimal:
    """Integer cents as a two-place Decimal."""
    return Decimal(amount).scaleb(-2)


@dataclass
class CustomerRows:
    """Rows of one customer: ``customer`` and ``accounts`` as dicts, the rest as tuples."""

    customer: dict | None
    accounts: list[dict]
    transactions: list[tuple] = field(default_factory=list)
    receipts: list[tuple] = field(default_factory=list)
    shipments: list[tuple] = field(default_factory=list)


def simulate(world: World, username: str, position: int, persona: dict | None,
             through: datetime) -> tuple[CustomerPlan, Ledger]:
    """Plan a customer and simulate every day up to the day of ``through``."""
    plan = plan_customer(world, username, position, persona)
    ledger = ledger_for(world, plan)
    ledger.run(through.date())
    return plan, ledger


def customer_row(plan: CustomerPlan, password_hash: str) -> dict:
    """The ``customers`` row of ``plan``."""
    city = plan.city
    return {
        "id": plan.id, "bank_id": plan.bank_id, "position": plan.position,
        "username": plan.username, "password_hash": password_hash, "persona": plan.persona,
        "name": plan.name, "email": plan.email, "phone": plan.phone, "line1": plan.line1,
        "city": city["name"], "region": city["region"], "postal_code": plan.postal_code,
        "country": "US", "home_lat": plan.lat, "home_lon": plan.lon,
        "mfa_required": plan.mfa_required, "locked": plan.locked,
    }


def account_row(account: AccountPlan, plan: CustomerPlan, routing_number: str) -> dict:
    """The ``accounts`` row of ``account`` before any movement."""
    opening = to_money(account.opening)
    return {
        "id": account.id, "bank_id": plan.bank_id, "customer_id": plan.id,
        "position": account.position, "type": account.type, "product": account.product,
        "name": account.name, "nickname": None, "mask": account.mask, "currency": CURRENCY,
        "status": "open", "opened_on": account.opened_on, "routing_number": routing_number,
        "credit_limit": None if account.credit_limit is None else to_money(account.credit_limit),
        "statement_day": account.statement_day,
        "apr": Decimal(account.apr) if account.apr else None,
        "opening_balance": opening, "current_balance": opening,
        "pending_total": to_money(0), "card_locked": False, "low_balance_threshold": None,
        "minimum_payment": None, "payment_due_on": None, "generated_through": None,
    }


def card_terms(statements: list[Statement], now: float) -> dict[str, dict]:
    """``minimum_payment`` and ``payment_due_on`` of each card's last statement by ``now``."""
    terms: dict[str, dict] = {}
    for statement in statements:
        if statement.closed_at <= now:
            terms[statement.account_id] = {"minimum_payment": to_money(statement.minimum),
                                           "payment_due_on": statement.due_on}
    return terms


def transaction_tuple(row: tuple, now: float, running: int | None) -> tuple:
    """The ``transactions`` row of a generated movement as the clock shows it at ``now``."""
    posts = row[POSTS]
    posted = posts <= now
    return (row[ID], row[ACCOUNT], row[AMOUNT], CURRENCY, "posted" if posted else "pending",
            row[AUTHORIZED], posts if posted else None, posts, row[DESCRIPTION], row[CATEGORY],
            row[CHANNEL], row[MERCHANT], *(row[LOCATION] or NO_LOCATION), running,
            row[COUNTERPARTY], row[RECEIPT])


def customer_rows(world: World, username: str, position: int, persona: dict | None,
                  now: datetime, password_hash: str) -> CustomerRows:
    """Everything of one customer that exists at ``now``, for a fresh world."""
    plan, ledger = simulate(world, username, position, persona, now)
    cutoff = now.timestamp()
    rows = [row for row in ledger.rows if row[AUTHORIZED] <= cutoff]
    signed = {a.id: -a.opening if a.liability else a.opening for a in plan.accounts}
    liability = {a.id for a in plan.accounts if a.liability}
    pending: dict[str, int] = defaultdict(int)
    running: dict[str, int] = {}
    posted = []
    for row in rows:
        if row[POSTS] <= cutoff:
            posted.append(row)
        else:
            pending[row[ACCOUNT]] += row[AMOUNT]
    posted.sort(key=lambda row: (row[POSTS], row[ID]))
    for row in posted:
        account_id = row[ACCOUNT]
        balance = signed[account_id] + row[AMOUNT]
        signed[account_id] = balance
        running[row[ID]] = -balance if account_id in liability else balance
    terms = card_terms(ledger.statements, cutoff)
    accounts = []
    for account in plan.accounts:
        current = signed[account.id]
        accounts.append({
            **account_row(account, plan, world.bank["routing_number"]),
            "current_balance": to_money(-current if account.liability else current),
            "pending_total": to_money(pending[account.id]), "generated_through": now,
            **terms.get(account.id, {}),
        })
    return CustomerRows(
        customer=customer_row(plan, password_hash), accounts=accounts,
        transactions=[transaction_tuple(row, cutoff, running.get(row[ID])) for row in rows],
        receipts=[(*r, CURRENCY) for r in ledger.receipts if r[ISSUED_AT] <= cutoff],
        shipments=[s[:ORDERED_AT] for s in ledger.shipments if s[ORDERED_AT] <= cutoff])


def rows_since(world: World, username: str, position: int, persona: dict | None,
               since: datetime, now: datetime) -> tuple[CustomerRows, dict[str, dict]]:
    """What happened to one customer after ``since`` up to ``now``, and each card's latest
    statement terms. New movements come back pending, without running balances: the caller
    posts them in order with the rest of what is due."""
    plan, ledger = simulate(world, username, position, persona, now)
    start, cutoff = since.timestamp(), now.timestamp()
    fresh = CustomerRows(
        customer=None, accounts=[],
        transactions=[transaction_tuple(row, start, None) for row in ledger.rows
                      if start < row[AUTHORIZED] <= cutoff],
        receipts=[(*r, CURRENCY) for r in ledger.receipts if start < r[ISSUED_AT] <= cutoff],
        shipments=[s[:ORDERED_AT] for s in ledger.shipments
                   if start < s[ORDERED_AT] <= cutoff])
    return fresh, card_terms(ledger.statements, cutoff)


def drop_card_purchases(rows: CustomerRows, account_ids: Collection[str]) -> list[tuple]:
    """Remove the card purchases (in store or online, money out) on ``account_ids`` from
    ``rows``, with their receipts and parcels; answers the removed transaction tuples."""
    kept, dropped = [], []
    for row in rows.transactions:
        purchase = (row[_ACCOUNT_ID] in account_ids and row[_CHANNEL] in CARD_CHANNELS
                    and row[_AMOUNT] < 0)
        (dropped if purchase else kept).append(row)
    if dropped:
        receipts = {row[_RECEIPT_ID] for row in dropped if row[_RECEIPT_ID]}
        rows.transactions = kept
        rows.receipts = [r for r in rows.receipts if r[_RECEIPT_OWN_ID] not in receipts]
        rows.shipments = [s for s in rows.shipments if s[_SHIPMENT_RECEIPT] not in receipts]
    return dropped
