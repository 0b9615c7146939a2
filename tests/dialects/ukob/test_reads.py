"""Accounts, balances, transactions and parties through the dialect: the consent's
permissions, accounts and window respected, every read logged, every answer (success and
error) conforming to the published document."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.config import DEFAULT_ADMIN_KEY
from tests.dialects.ukob.conftest import BASE, bearer

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
OPERATIONS = ["/accounts", "/accounts/{account}", "/accounts/{account}/balances", "/balances",
              "/accounts/{account}/transactions", "/transactions", "/party",
              "/accounts/{account}/party", "/accounts/{account}/parties"]


def walk(client, valid, url: str, token: str) -> list[dict]:
    """Every transaction of a list, following ``Links.Next``."""
    rows = []
    while url:
        answer = valid(client.get(url, headers=bearer(token)))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        rows += body["Data"]["Transaction"]
        url = body["Links"].get("Next")
    return rows


@pytest.fixture
def full(reading):
    return reading()


def first_account(client, token: str) -> dict:
    return client.get(f"{BASE}/accounts", headers=bearer(token)).get_json()["Data"]["Account"][0]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_answers_in_the_published_shape(client, valid, full, operation):
    _, token = full
    account = first_account(client, token)["AccountId"]
    answer = valid(client.get(BASE + operation.format(account=account),
                              headers={**bearer(token), "x-fapi-interaction-id": "abc-123"}))
    assert answer.status_code == 200
    assert answer.headers["x-fapi-interaction-id"] == "abc-123"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["Links"]["Self"].startswith("http://localhost/banks/harborline/")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_refuses_without_a_token(client, valid, operation):
    answer = valid(client.get(BASE + operation.format(account="acc_x")))
    assert answer.status_code == 401
    assert answer.headers["x-fapi-interaction-id"]
    assert answer.get_json()["Errors"][0]["ErrorCode"] == "U042"


def test_an_account_outside_the_consent_is_an_unknown_resource(client, valid, full, mint):
    _, token = full
    other = client.get("/banks/harborline/v1/accounts",
                       headers=bearer(mint(username="user_overdrawn"))).get_json()["data"][0]
    for path in ("", "/balances", "/transactions", "/party"):
        answer = valid(client.get(f"{BASE}/accounts/{other['id']}{path}", headers=bearer(token)))
        assert answer.status_code == 400
        assert answer.get_json()["Errors"][0]["ErrorCode"] == "U011"


def test_permissions_are_enforced_like_scopes(client, valid, reading):
    _, token = reading(["ReadAccountsBasic"])
    account = first_account(client, token)
    assert "Account" not in account  # Basic: no identification
    for path in ("/balances", "/transactions", "/party"):
        answer = valid(client.get(BASE + path, headers=bearer(token)))
        assert answer.status_code == 403, path
        assert answer.get_json()["Errors"][0]["ErrorCode"] == "AG01"
    _, party = reading(["ReadPartyPSU"])
    assert valid(client.get(f"{BASE}/party", headers=bearer(party))).status_code == 200
    assert valid(client.get(f"{BASE}/accounts/x/party", headers=bearer(party))).status_code == 403


def test_detail_identifies_every_account_as_v1_does(client, full, mint):
    accounts = client.get(f"{BASE}/accounts", headers=bearer(full[1])).get_json()
    v1 = {a["id"]: a for a in client.get("/banks/harborline/v1/accounts",
                                         headers=bearer(mint())).get_json()["data"]}
    for account in accounts["Data"]["Account"]:
        ours = v1[account["AccountId"]]
        scheme = "UK.OBIE.PAN" if ours["type"] == "credit_card" else "UK.OBIE.BBAN"
        assert account["Account"][0]["SchemeName"] == scheme
        assert account["Account"][0]["Identification"].endswith("XXXX" + ours["mask"])
        assert account["Currency"] == ours["currency"]


def test_credits_only_shows_only_credits(client, valid, reading):
    _, token = reading(["ReadAccountsBasic", "ReadTransactionsBasic", "ReadTransactionsCredits"])
    rows = walk(client, valid, f"{BASE}/transactions", token)
    assert rows and {row["CreditDebitIndicator"] for row in rows} == {"Credit"}
    assert not any("TransactionInformation" in row for row in rows)  # Basic


def test_paging_walks_every_transaction_once_and_agrees_with_v1(client, valid, full, mint):
    _, token = full
    account = first_account(client, token)["AccountId"]
    rows = walk(client, valid, f"{BASE}/accounts/{account}/transactions", token)
    v1, cursor = [], None
    while True:
        page = client.get(f"/banks/harborline/v1/accounts/{account}/transactions",
                          query_string={"cursor": cursor} if cursor else {},
                          headers=bearer(mint())).get_json()
        v1 += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [row["TransactionId"] for row in rows] == [row["id"] for row in v1]
    assert len(rows) > 50  # more than one page
    for ob, ours in zip(rows, v1):
        sign = -1 if ob["CreditDebitIndicator"] == "Debit" else 1
        assert sign * Decimal(ob["Amount"]["Amount"]) == Decimal(ours["amount"])
        assert ob["Status"] == {"posted": "BOOK", "pending": "PDNG"}[ours["status"]]


def test_the_bulk_list_covers_every_account(client, valid, full):
    _, token = full
    rows = walk(client, valid, f"{BASE}/transactions", token)
    accounts = client.get(f"{BASE}/accounts", headers=bearer(token)).get_json()["Data"]["Account"]
    per_account = sum(len(walk(client, valid, f"{BASE}/accounts/{a['AccountId']}/transactions",
                               token)) for a in accounts)
    assert len(rows) == per_account
    assert len({row["TransactionId"] for row in rows}) == len(rows)


def test_booking_window_filters(client, valid, full):
    _, token = full
    account = first_account(client, token)["AccountId"]
    url = (f"{BASE}/accounts/{account}/transactions?fromBookingDateTime=2026-02-01T00:00:00"
           "&toBookingDateTime=2026-02-10T23:59:59")
    rows = walk(client, valid, url, token)
    assert rows
    assert all("2026-02-01" <= row["BookingDateTime"][:10] <= "2026-02-10" for row in rows)


def test_the_consents_transaction_window_is_kept(client, valid, reading):
    _, token = reading(TransactionFromDateTime="2026-02-15T00:00:00+00:00")
    rows = walk(client, valid, f"{BASE}/transactions", token)
    assert rows and min(row["BookingDateTime"] for row in rows) >= "2026-02-15"


def test_a_bad_query_or_header_names_it(client, valid, full):
    _, token = full
    wrong = valid(client.get(f"{BASE}/transactions?fromBookingDateTime=yesterday",
                             headers=bearer(token)))
    assert wrong.status_code == 400
    assert wrong.get_json()["Errors"][0]["Path"] == "fromBookingDateTime"
    cursor = valid(client.get(f"{BASE}/transactions?cursor=nonsense", headers=bearer(token)))
    assert (cursor.status_code, cursor.get_json()["Errors"][0]["Path"]) == (400, "cursor")
    header = valid(client.get(f"{BASE}/accounts", headers={**bearer(token),
                                                            "x-fapi-auth-date": "yesterday"}))
    assert header.status_code == 400
    assert header.get_json()["Errors"][0] == {
        "ErrorCode": "U006", "Path": "x-fapi-auth-date",
        "Message": "x-fapi-auth-date must be an RFC 7231 date, e.g. "
                   "`Sun, 10 Sep 2017 19:43:31 UTC`."}
    fine = client.get(f"{BASE}/accounts", headers={
        **bearer(token), "x-fapi-auth-date": "Sun, 10 Sep 2017 19:43:31 UTC",
        "x-fapi-customer-ip-address": "203.0.113.7"})
    assert fine.status_code == 200


def test_every_read_is_in_the_access_log(client, full):
    consent_id, token = full
    account = first_account(client, token)["AccountId"]
    for operation in OPERATIONS:
        client.get(BASE + operation.format(account=account), headers=bearer(token))
    log = client.get("/sandbox/access-log", query_string={"consent_id": consent_id},
                     headers=ADMIN).get_json()["data"]
    paths = {entry["path"].split("?")[0] for entry in log}
    assert {BASE + operation.format(account=account) for operation in OPERATIONS} <= paths


@pytest.mark.parametrize(("fault", "status"), [("status=500", 500), ("status=429", 429)])
def test_injected_faults_answer_in_obs_shape(client, valid, full, fault, status):
    answer = valid(client.get(f"{BASE}/accounts",
                              headers={**bearer(full[1]), "X-Sandbox-Fault": fault}))
    assert answer.status_code == status
    body = answer.get_json()
    assert set(body) == {"Code", "Id", "Message", "Errors"}
    assert body["Errors"][0]["ErrorCode"] == ("U000" if status == 500 else "U042")
    assert answer.headers["x-fapi-interaction-id"]


def test_a_method_the_path_does_not_allow_answers_in_obs_shape(client, full):
    # The document has no PUT here to validate against; its 405 asks for the header alone.
    answer = client.put(f"{BASE}/accounts", headers=bearer(full[1]))
    assert answer.status_code == 405
    assert answer.headers["x-fapi-interaction-id"]
    assert "GET" in answer.headers["Allow"]
    assert answer.get_json()["Errors"][0]["ErrorCode"] == "U042"


def test_a_fault_rule_of_the_control_plane_answers_in_obs_shape(client, valid, full):
    rules = {"rules": [{"bank_id": "harborline", "path": "*/open-banking/*/balances",
                        "fault": "status=500"}], "maintenance": []}
    assert client.put("/sandbox/faults", json=rules, headers=ADMIN).status_code == 200
    try:
        failed = valid(client.get(f"{BASE}/balances", headers=bearer(full[1])))
        assert failed.status_code == 500
        assert failed.get_json()["Errors"][0]["ErrorCode"] == "U000"
        assert valid(client.get(f"{BASE}/accounts", headers=bearer(full[1]))).status_code == 200
    finally:
        client.delete("/sandbox/faults", headers=ADMIN)


def test_the_opening_balance_and_todays_bookings_make_the_booked_balance(client, valid, full):
    _, token = full
    for account in client.get(f"{BASE}/accounts", headers=bearer(token)).get_json()[
            "Data"]["Account"]:
        entries = valid(client.get(f"{BASE}/accounts/{account['AccountId']}/balances",
                                   headers=bearer(token))).get_json()["Data"]["Balance"]
        by_type = {entry["Type"]: entry for entry in entries}
        midnight = by_type["OPBD"]["DateTime"]
        assert midnight.endswith("T00:00:00+00:00")
        today = [row for row in walk(
            client, valid, f"{BASE}/accounts/{account['AccountId']}/transactions", token)
            if row["Status"] == "BOOK" and row["ValueDateTime"] >= midnight]
        moved = sum((Decimal(row["Amount"]["Amount"]) * (
            -1 if row["CreditDebitIndicator"] == "Debit" else 1) for row in today),
            Decimal("0"))
        owed = account["AccountTypeCode"] in ("CARD", "LOAN", "MORT")

        def value(entry):
            amount = Decimal(entry["Amount"]["Amount"])
            debit = entry["CreditDebitIndicator"] == "Debit"
            return (amount if debit else -amount) if owed else (-amount if debit else amount)

        expected = value(by_type["OPBD"]) + (-moved if owed else moved)
        assert value(by_type["ITBD"]) == expected, account["AccountTypeCode"]
