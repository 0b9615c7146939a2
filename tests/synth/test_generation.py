"""The generated people behave the way their description says (in memory, no database)."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timezone

import pytest

from sandbox import catalog
from sandbox.synth.context import history_start, make_world
from sandbox.synth.generate import TRANSACTION_COLUMNS, CustomerRows, customer_rows

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
MONTHS = 6
COLUMN = {name: index for index, name in enumerate(TRANSACTION_COLUMNS)}


def world(bank_id: str = "harborline", months: int = MONTHS, now: datetime = NOW):
    bank = next(bank for bank in catalog.banks() if bank["id"] == bank_id)
    return make_world(42, months, history_start(now.date(), months), bank)


def persona(username: str, bank_id: str = "harborline") -> CustomerRows:
    fixture = next(p for p in catalog.personas() if p["username"] == username)
    return customer_rows(world(bank_id), username, 0, fixture, NOW, "hash")


def column(rows: list[tuple], name: str) -> list:
    return [row[COLUMN[name]] for row in rows]


def day_of(instant: int) -> date:
    return datetime.fromtimestamp(instant, timezone.utc).date()


def of_account(rows: CustomerRows, account_type: str) -> list[tuple]:
    account = next(a for a in rows.accounts if a["type"] == account_type)
    return [row for row in rows.transactions if row[COLUMN["account_id"]] == account["id"]]


@pytest.fixture(scope="module")
def user_good() -> CustomerRows:
    return persona("user_good")


def test_user_good_is_paid_regularly_and_pays_rent_on_the_first(user_good):
    checking = of_account(user_good, "checking")
    paydays = sorted(day_of(row[COLUMN["authorized_at"]]) for row in checking
                     if row[COLUMN["category"]] == "income")
    rent_days = {day_of(row[COLUMN["authorized_at"]]).day for row in checking
                 if row[COLUMN["category"]] == "housing"}
    gaps = {(later - earlier).days for earlier, later in zip(paydays, paydays[1:])}

    assert len(paydays) >= MONTHS
    assert gaps <= {14} or gaps <= set(range(13, 18)) or gaps <= set(range(28, 32))
    assert rent_days == {1}


def test_subscriptions_cost_the_same_every_month(user_good):
    amounts = defaultdict(set)
    for row in user_good.transactions:
        if row[COLUMN["category"]] == "subscriptions":
            amounts[row[COLUMN["merchant_id"]]].add(row[COLUMN["amount"]])

    assert amounts
    assert all(len(prices) == 1 for prices in amounts.values())


def test_groceries_are_a_weekly_habit(user_good):
    weekdays = Counter(day_of(row[COLUMN["authorized_at"]]).weekday()
                       for row in user_good.transactions
                       if row[COLUMN["category"]] == "groceries"
                       and row[COLUMN["merchant_id"]] != "mch_cornerfresh")

    assert weekdays.most_common(1)[0][1] >= 3 * MONTHS


def test_user_good_orders_online_with_receipts_and_parcels(user_good):
    card = of_account(user_good, "credit_card")
    online = [row for row in card if row[COLUMN["channel"]] == "online"
              and row[COLUMN["receipt_id"]]]

    assert online and user_good.receipts and user_good.shipments
    assert {row[0] for row in user_good.receipts} >= set(column(online, "receipt_id"))


def test_transfers_have_both_sides(user_good):
    transfers = [row for row in user_good.transactions if row[COLUMN["counterparty_account_id"]]]
    sides = Counter((row[COLUMN["authorized_at"]], abs(row[COLUMN["amount"]]))
                    for row in transfers)

    assert transfers and all(count % 2 == 0 for count in sides.values())


def test_user_overdrawn_is_below_zero_with_overdraft_fees():
    rows = persona("user_overdrawn")
    checking = next(a for a in rows.accounts if a["type"] == "checking")
    fees = [row for row in of_account(rows, "checking")
            if row[COLUMN["description"]] == "OVERDRAFT FEE"]

    assert checking["current_balance"] < 0
    assert len(fees) >= MONTHS


def test_user_business_has_ten_thousand_transactions_even_with_one_month():
    bank = next(bank for bank in catalog.banks() if bank["id"] == "juniper")
    fixture = next(p for p in catalog.personas() if p["username"] == "user_business")
    rows = customer_rows(make_world(42, 1, history_start(NOW.date(), 1), bank),
                         "user_business", 4, fixture, NOW, "hash")

    assert len(rows.transactions) >= 10_000


def test_user_new_opened_accounts_days_ago_with_little_history():
    rows = persona("user_new")
    opened = {account["opened_on"] for account in rows.accounts}

    assert len(opened) == 1 and 0 < (NOW.date() - opened.pop()).days <= 7
    assert 0 < len(rows.transactions) < 30


def test_only_products_the_bank_offers():
    copperleaf = world("copperleaf")
    offered = {product["code"] for product in copperleaf.bank["products"]}
    products = {account["product"]
                for n in range(1, 21)
                for account in customer_rows(copperleaf, f"customer_{n:05d}", n, None, NOW,
                                             "hash").accounts}

    assert products <= offered and "mortgage" not in {p.split("_")[-1] for p in products}


def test_some_people_travel_and_spend_in_another_city():
    harbor = world(months=12)
    away = 0
    for n in range(1, 6):
        rows = customer_rows(harbor, f"customer_{n:05d}", n, None, NOW, "hash")
        home = rows.customer["city"]
        cities = {row[COLUMN["location_city"]] for row in rows.transactions
                  if row[COLUMN["channel"]] == "in_store"}
        away += bool(cities - {home})

    assert away >= 3


def test_purchases_made_in_the_last_days_are_still_pending(user_good):
    pending = [row for row in user_good.transactions if row[COLUMN["status"]] == "pending"]
    ages = [(NOW.timestamp() - row[COLUMN["authorized_at"]]) / 86_400 for row in pending]

    assert pending and max(ages) <= 5
    assert all(row[COLUMN["posted_at"]] is None and row[COLUMN["running_balance"]] is None
               for row in pending)


def test_parcels_are_in_every_state_at_the_clocks_now():
    from sandbox.services.shipments import status_at

    statuses = Counter()
    for bank in catalog.banks():
        bank_world = make_world(42, 1, history_start(NOW.date(), 1), bank)
        for n in range(1, 26):
            rows = customer_rows(bank_world, f"customer_{n:05d}", n, None, NOW, "hash")
            statuses.update(status_at(shipment[-1], NOW) for shipment in rows.shipments)

    assert {"in_transit", "delayed", "exception", "delivered"} <= set(statuses)
    assert statuses["exception"] < statuses["in_transit"] + statuses["out_for_delivery"]


def test_amounts_look_like_money(user_good):
    amounts = [abs(amount) for amount in column(user_good.transactions, "amount")]

    assert min(amounts) > 0
    assert 500 < statistics.median(amounts) < 20_000
