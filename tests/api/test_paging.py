"""Keyset paging: every row exactly once, newest first, also while new transactions arrive;
page sizes bounded by each bank; cursors opaque and checked."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Bank, Transaction
from tests.api.conftest import bearer, customer_of, walk

BANK = "harborline"


def newest_first(rows: list[dict]) -> list[dict]:
    """Rows in the API's order: ``authorized_at`` then ``id``, both descending."""
    return sorted(rows, key=lambda row: (row["authorized_at"], row["id"]), reverse=True)


def exported(account: dict) -> list[dict]:
    """An exported account's transactions as the API shows them (no nested receipt)."""
    return [{k: v for k, v in row.items() if k != "receipt"} for row in account["transactions"]]


@pytest.fixture(scope="module")
def checking(world):
    """user_good's first account at the bank, as exported."""
    return customer_of(world, BANK, "user_good")["accounts"][0]


@pytest.mark.parametrize(("limit",), [(1,), (7,), (50,), (100,)])
def test_walking_every_page_yields_every_transaction_once_newest_first(
        client, mint, checking, limit):
    token = mint(BANK, "user_good", "transactions")
    url = f"/banks/{BANK}/v1/accounts/{checking['id']}/transactions"
    rows = walk(client, url, token, limit=limit)
    assert rows == newest_first(exported(checking))


def test_new_transactions_during_a_walk_neither_repeat_nor_hide_rows(app, client, mint,
                                                                     checking):
    token = mint(BANK, "user_good", "transactions")
    url = f"/banks/{BANK}/v1/accounts/{checking['id']}/transactions"
    before = newest_first(exported(checking))
    first = client.get(url, query_string={"limit": 10}, headers=bearer(token)).get_json()
    with app.app_context():
        tie = db.session.get(Transaction, before[15]["id"])
        now = clock.now()
        arrivals = [
            Transaction(id=f"txn_arrival_{n}", account_id=checking["id"], amount=-n,
                        currency="USD", status="pending", authorized_at=at,
                        posts_at=at + timedelta(days=1), description="ARRIVAL",
                        category="shopping", channel="online")
            for n, at in enumerate((now - timedelta(minutes=5), now, tie.authorized_at))
        ]
        db.session.add_all(arrivals)
        db.session.commit()
    rows = first["data"]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(url, query_string={"limit": 10, "cursor": cursor},
                          headers=bearer(token)).get_json()
        rows += page["data"]
        cursor = page["next_cursor"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    assert [row for row in rows if not row["id"].startswith("txn_arrival_")] == before
    everything = walk(client, url, token, limit=10)
    assert {row["id"] for row in everything} == {row["id"] for row in before} | {
        f"txn_arrival_{n}" for n in range(3)}


@pytest.mark.parametrize(("bank", "maximum"), [
    ("harborline", 100), ("juniper", 50), ("cobaltpeak", 200), ("copperleaf", 500),
])
def test_limit_goes_up_to_the_banks_maximum_and_no_further(client, mint, world, bank, maximum):
    token = mint(bank, "user_business", "transactions")
    account = customer_of(world, bank, "user_business")["accounts"][0]
    url = f"/banks/{bank}/v1/accounts/{account['id']}/transactions"
    full = client.get(url, query_string={"limit": maximum}, headers=bearer(token))
    assert full.status_code == 200
    assert len(full.get_json()["data"]) == min(maximum, len(account["transactions"]))
    over = client.get(url, query_string={"limit": maximum + 1}, headers=bearer(token))
    assert over.status_code == 422
    assert over.content_type == "application/problem+json"
    assert [error["path"] for error in over.get_json()["errors"]] == ["limit"]


def test_a_page_size_changed_in_the_banks_row_is_followed_at_once(app, client, mint, world):
    """A scenario may change ``page_size_max``: paging reads the bank's row, not the fixture."""
    token = mint("juniper", "user_business", "transactions")
    account = customer_of(world, "juniper", "user_business")["accounts"][0]
    url = f"/banks/juniper/v1/accounts/{account['id']}/transactions"
    with app.app_context():
        bank = db.session.get(Bank, "juniper")
        original = dict(bank.settings)
        bank.settings = {**original, "page_size_max": 60}
        db.session.commit()
    try:
        larger = client.get(url, query_string={"limit": 60}, headers=bearer(token))
        over = client.get(url, query_string={"limit": 61}, headers=bearer(token))
    finally:
        with app.app_context():
            db.session.get(Bank, "juniper").settings = original
            db.session.commit()

    assert larger.status_code == 200 and len(larger.get_json()["data"]) == 60
    assert over.status_code == 422
    assert over.get_json()["detail"] == "limit: at most 60 rows per page at this bank."


def test_default_page_is_fifty_rows(client, mint, world):
    token = mint(BANK, "user_business", "transactions")
    account = customer_of(world, BANK, "user_business")["accounts"][0]
    body = client.get(f"/banks/{BANK}/v1/accounts/{account['id']}/transactions",
                      headers=bearer(token)).get_json()
    assert len(body["data"]) == 50
    assert body["next_cursor"]


@pytest.mark.parametrize(("cursor",), [
    ("not-a-cursor",), ("",), ("ci4xNzcyMzUyMDAwMDAwMDAwLnR4bl8x",), ("dC45OTk5OQ",),
    ("%00%ff",),
])
def test_a_cursor_this_list_did_not_issue_is_refused_naming_it(client, mint, checking, cursor):
    token = mint(BANK, "user_good", "transactions")
    response = client.get(f"/banks/{BANK}/v1/accounts/{checking['id']}/transactions"
                          f"?cursor={cursor}", headers=bearer(token))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert [error["path"] for error in response.get_json()["errors"]] == ["cursor"]


@pytest.mark.parametrize(("path", "limit"), [("receipts", 3), ("shipments", 2)])
def test_receipt_and_shipment_lists_page_every_row_once(client, mint, world, path, limit):
    token = mint(BANK, "user_good")
    one_page = client.get(f"/banks/{BANK}/v1/{path}", query_string={"limit": 100},
                          headers=bearer(token)).get_json()["data"]
    rows = walk(client, f"/banks/{BANK}/v1/{path}", token, limit=limit)
    assert rows == one_page
    assert len(rows) > limit
