"""What each endpoint answers, against ``sandbox export`` of the same world; caching headers;
the access log."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import AccessLogEntry
from tests.api.conftest import ALL_SCOPES, bearer, customer_of, walk

BANK = "harborline"
ACCOUNT_KEYS = {"balances", "transactions"}


@pytest.fixture(scope="module")
def good(world):
    return customer_of(world, BANK, "user_good")


@pytest.fixture(scope="module")
def token(mint):
    return mint(BANK, "user_good", ALL_SCOPES)


def get(client, token: str, path: str, **headers):
    return client.get(f"/banks/{BANK}/v1{path}", headers={**bearer(token), **headers})


def test_accounts_are_the_consents_accounts_in_the_banks_order(client, token, good):
    body = get(client, token, "/accounts").get_json()
    assert body == {"data": [{k: v for k, v in account.items() if k not in ACCOUNT_KEYS}
                             for account in good["accounts"]], "next_cursor": None}


def test_one_account_and_its_balances_match_the_export(client, token, good):
    for account in good["accounts"]:
        one = get(client, token, f"/accounts/{account['id']}").get_json()
        assert one == {k: v for k, v in account.items() if k not in ACCOUNT_KEYS}
        balances = get(client, token, f"/accounts/{account['id']}/balances").get_json()
        assert balances == account["balances"]
        assert balances["as_of"] == "2026-03-01T12:00:00Z"


def test_deposit_balances_hold_back_pending_debits(client, token, good):
    for account in good["accounts"]:
        if account["type"] not in ("checking", "savings"):
            continue
        balances = get(client, token, f"/accounts/{account['id']}/balances").get_json()
        pending_debits = sum(float(t["amount"]) for t in account["transactions"]
                             if t["status"] == "pending" and float(t["amount"]) < 0)
        assert float(balances["available"]) == pytest.approx(
            float(balances["current"]) + pending_debits)


def test_transactions_show_pending_rows_without_posting_data(client, token, good):
    rows = [row for account in good["accounts"]
            for row in walk(client, f"/banks/{BANK}/v1/accounts/{account['id']}/transactions",
                            token, status="pending")]
    assert rows
    assert all(row["posted_at"] is None and row["running_balance"] is None for row in rows)


def test_one_transaction_matches_the_export(client, token, good):
    for account in good["accounts"]:
        for row in account["transactions"][:: max(1, len(account["transactions"]) // 5)]:
            body = get(client, token, f"/transactions/{row['id']}").get_json()
            assert body == {k: v for k, v in row.items() if k != "receipt"}


def test_receipts_carry_line_items_totals_and_shipment_ids(client, token, good):
    exported = {row["receipt"]["id"]: row["receipt"] for account in good["accounts"]
                for row in account["transactions"] if row["receipt"]}
    listed = walk(client, f"/banks/{BANK}/v1/receipts", token, limit=100)
    assert {receipt["id"] for receipt in listed} == set(exported)
    for receipt in listed:
        expected = exported[receipt["id"]]
        assert receipt == {**expected, "shipments": [s["id"] for s in expected["shipments"]]}
        assert get(client, token, f"/receipts/{receipt['id']}").get_json() == receipt
    issued = [receipt["issued_at"] for receipt in listed]
    assert issued == sorted(issued, reverse=True)


def test_receipts_filter_by_account_and_day(client, token, good):
    card = next(a for a in good["accounts"] if a["type"] == "credit_card")
    listed = walk(client, f"/banks/{BANK}/v1/receipts", token, limit=100,
                  account_id=card["id"], **{"from": "2026-02-01", "to": "2026-02-15"})
    expected = {row["receipt"]["id"] for row in card["transactions"] if row["receipt"]
                and "2026-02-01" <= row["receipt"]["issued_at"][:10] <= "2026-02-15"}
    assert expected and {receipt["id"] for receipt in listed} == expected


def test_shipments_show_their_progress_at_the_sandbox_clock(client, token, good):
    exported = {s["id"]: s for account in good["accounts"] for row in account["transactions"]
                if row["receipt"] for s in row["receipt"]["shipments"]}
    listed = walk(client, f"/banks/{BANK}/v1/shipments", token, limit=100)
    assert {shipment["id"] for shipment in listed} == set(exported)
    for shipment in listed:
        assert shipment == exported[shipment["id"]]
        assert all(event["at"] <= "2026-03-01T12:00:00Z" for event in shipment["events"])
    statuses = {shipment["status"] for shipment in listed}
    for status in statuses:
        only = walk(client, f"/banks/{BANK}/v1/shipments", token, status=status)
        assert [s["id"] for s in only] == [s["id"] for s in listed if s["status"] == status]


def test_identity_is_the_customer_behind_the_consent(client, token, good):
    body = get(client, token, "/identity").get_json()
    assert body == {k: v for k, v in good.items() if k != "accounts"}


@pytest.mark.parametrize(("path",), [
    ("/accounts/{account}",), ("/accounts/{account}/balances",),
    ("/transactions/{transaction}",), ("/receipts/{receipt}",), ("/identity",),
])
def test_single_resources_answer_304_to_their_own_etag(client, token, good, path):
    account = good["accounts"][0]
    receipt = next(row["receipt"] for a in good["accounts"] for row in a["transactions"]
                   if row["receipt"])
    path = path.format(account=account["id"], transaction=account["transactions"][0]["id"],
                       receipt=receipt["id"])
    first = get(client, token, path)
    etag = first.headers["ETag"]
    again = get(client, token, path, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert get(client, token, path, **{"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(("path",), [
    ("/accounts",), ("/accounts/{account}",), ("/accounts/{account}/balances",),
    ("/accounts/{account}/transactions",), ("/transactions/{transaction}",), ("/receipts",),
    ("/shipments",), ("/identity",), ("/accounts/unknown",),
])
def test_every_data_answer_forbids_caching(client, token, good, path):
    account = good["accounts"][0]
    path = path.format(account=account["id"], transaction=account["transactions"][0]["id"])
    assert get(client, token, path).headers["Cache-Control"] == "no-store"


def test_every_read_is_written_to_the_access_log(app, client, mint, good):
    token = mint(BANK, "user_good", ALL_SCOPES)
    account = good["accounts"][0]
    reads = [("/accounts", "accounts", None),
             (f"/accounts/{account['id']}/transactions?limit=5", "transactions", account["id"]),
             (f"/accounts/{account['id']}/balances", "balances", account["id"]),
             ("/identity", "identity", good["id"])]
    with app.app_context():
        consent_id = db.session.execute(sa.text(
            "select consent_id from oauth_tokens where access_token = :t"), {"t": token}).scalar()
    for path, _, _ in reads:
        assert get(client, token, path).status_code == 200
    assert get(client, token, "/accounts/unknown").status_code == 404
    with app.app_context():
        entries = db.session.scalars(sa.select(AccessLogEntry).where(
            AccessLogEntry.consent_id == consent_id).order_by(AccessLogEntry.id)).all()
        logged = [(e.path, e.resource, e.resource_id, e.client_id, e.customer_id, e.bank_id)
                  for e in entries]
    assert logged == [(f"/banks/{BANK}/v1{path}", resource, resource_id, "demo-app",
                       good["id"], BANK) for path, resource, resource_id in reads]


def test_unsupported_methods_and_unknown_routes_are_problems(client, token):
    response = client.delete(f"/banks/{BANK}/v1/accounts", headers=bearer(token))
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    missing = get(client, token, "/nothing-here")
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
