"""Every CDR operation answers what the published documents say (each answer is validated by
the ``cdr`` fixture), reads only what the consent allows, and logs every read."""
from __future__ import annotations

import pytest

from sandbox.config import DEFAULT_ADMIN_KEY
from tests.dialects.cdr.conftest import BASE, BANK, CDR_SCOPES, bearer, conforms, customer_of

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
ALL_TIME = {"oldest-time": "2000-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def good(world) -> dict:
    return customer_of(world, BANK, "user_good")


def codes(response) -> list[str]:
    return [error["code"] for error in response.get_json()["errors"]]


def test_accounts_map_sandbank_accounts(cdr, good):
    response = cdr("/banking/accounts")

    assert response.status_code == 200
    assert response.headers["x-v"] == "3"
    accounts = response.get_json()["data"]["accounts"]
    assert [a["accountId"] for a in accounts] == [a["id"] for a in good["accounts"]]
    card = next(a for a in accounts if a["productCategory"] == "CRED_AND_CHRG_CARDS")
    assert card["maskedNumber"].endswith(next(a["mask"] for a in good["accounts"]
                                              if a["type"] == "credit_card"))
    assert response.get_json()["meta"] == {"totalRecords": len(accounts), "totalPages": 1}


def test_account_detail_balances_and_balance(cdr, good):
    card = next(a for a in good["accounts"] if a["type"] == "credit_card")
    checking = next(a for a in good["accounts"] if a["type"] == "checking")

    detail = cdr(f"/banking/accounts/{card['id']}").get_json()["data"]
    bulk = cdr("/banking/accounts/balances").get_json()["data"]["balances"]
    one = cdr(f"/banking/accounts/{checking['id']}/balance").get_json()["data"]

    assert detail["accountId"] == card["id"] and detail["displayName"] == card["name"]
    owed = next(b for b in bulk if b["accountId"] == card["id"])
    assert owed["currentBalance"] == f"-{card['balances']['current']}"
    assert owed["creditLimit"] == card["balances"]["credit_limit"]
    assert one["currentBalance"] == checking["balances"]["current"]
    assert len(bulk) == len(good["accounts"])


def test_transactions_page_through_every_row_once(cdr, good):
    checking = next(a for a in good["accounts"] if a["type"] == "checking")
    path = f"/banking/accounts/{checking['id']}/transactions"
    first = cdr(path, **ALL_TIME, **{"page-size": "40"}).get_json()
    pages = first["meta"]["totalPages"]
    seen = [t["transactionId"] for t in first["data"]["transactions"]]
    for number in range(2, pages + 1):
        body = cdr(path, **ALL_TIME, **{"page-size": "40", "page": str(number)}).get_json()
        seen += [t["transactionId"] for t in body["data"]["transactions"]]
        assert body["links"]["first"].endswith("page=1")

    assert first["meta"]["totalRecords"] == len(checking["transactions"]) == len(seen)
    assert set(seen) == {t["id"] for t in checking["transactions"]}
    assert "next" in first["links"] and "prev" not in first["links"]


def test_transaction_detail_and_its_fields(cdr, good):
    card = next(a for a in good["accounts"] if a["type"] == "credit_card")
    purchase = next(t for t in card["transactions"] if t["merchant"])
    found = cdr(f"/banking/accounts/{card['id']}/transactions/{purchase['id']}").get_json()

    data = found["data"]
    assert data["amount"] == purchase["amount"]
    assert data["status"] == purchase["status"].upper()
    assert data["merchantName"] == purchase["merchant"]["name"]
    assert data["merchantCategoryCode"] == purchase["merchant"]["mcc"]
    assert data["executionDateTime"] == purchase["authorized_at"]


def test_transaction_filters(cdr, good):
    checking = next(a for a in good["accounts"] if a["type"] == "checking")
    path = f"/banking/accounts/{checking['id']}/transactions"
    rows = cdr(path, **ALL_TIME, **{"max-amount": "-100", "page-size": "1000"}).get_json()

    expected = [t for t in checking["transactions"] if float(t["amount"]) <= -100]
    assert rows["meta"]["totalRecords"] == len(expected)
    assert all(float(t["amount"]) <= -100 for t in rows["data"]["transactions"])


def test_customer_and_public_operations(cdr, good):
    person = cdr("/common/customer").get_json()["data"]["person"]
    products = cdr("/banking/products", token=None)
    status = cdr("/discovery/status", token=None)

    assert good["name"].endswith(person["lastName"])
    assert products.status_code == 200
    assert {p["brand"] for p in products.get_json()["data"]["products"]} == {BANK}
    assert status.get_json()["data"]["status"] == "OK"


@pytest.mark.parametrize(("version", "minimum", "status", "code"), [
    ("2", "1", 406, "urn:au-cds:error:cds-all:Header/UnsupportedVersion"),
    ("3", None, 200, None),
    ("9", "4", 406, "urn:au-cds:error:cds-all:Header/UnsupportedVersion"),
    ("9", "3", 200, None),
    ("three", None, 400, "urn:au-cds:error:cds-all:Header/InvalidVersion"),
    ("3", "-1", 400, "urn:au-cds:error:cds-all:Header/InvalidVersion"),
])
def test_version_negotiation(cdr, version, minimum, status, code):
    headers = {} if minimum is None else {"x-min-v": minimum}
    response = cdr("/banking/accounts", version=None, headers={"x-v": version, **headers})

    assert response.status_code == status
    if code:
        assert codes(response) == [code]
    else:
        assert response.headers["x-v"] == "3"


def test_missing_version_and_interaction_id(cdr):
    missing = cdr("/banking/accounts", version=None)
    echoed = cdr("/banking/accounts", headers={"x-fapi-interaction-id": "abc-123"})

    assert missing.status_code == 400
    assert codes(missing) == ["urn:au-cds:error:cds-all:Header/Missing"]
    assert missing.headers["x-fapi-interaction-id"]
    assert echoed.headers["x-fapi-interaction-id"] == "abc-123"


@pytest.mark.parametrize(("query", "status", "code"), [
    ({"page-size": "0"}, 400, "Field/InvalidPageSize"),
    ({"page-size": "1001"}, 400, "Field/InvalidPageSize"),
    ({"page": "x"}, 400, "Field/Invalid"),
    ({"page": "9"}, 422, "Field/InvalidPage"),
    ({"open-status": "SHUT"}, 400, "Field/Invalid"),
])
def test_bad_arguments_are_named(cdr, query, status, code):
    response = cdr("/banking/accounts", **query)

    assert response.status_code == status
    assert codes(response) == [f"urn:au-cds:error:cds-all:{code}"]


def test_bad_transaction_arguments(cdr, good):
    path = f"/banking/accounts/{good['accounts'][0]['id']}/transactions"

    assert codes(cdr(path, **{"oldest-time": "yesterday"})) == [
        "urn:au-cds:error:cds-all:Field/InvalidDateTime"]
    assert codes(cdr(path, **{"newest-time": "9999-12-31T23:59:59.999999Z"})) == [
        "urn:au-cds:error:cds-all:Field/InvalidDateTime"]
    assert codes(cdr(path, **{"min-amount": "lots"})) == ["urn:au-cds:error:cds-all:Field/Invalid"]


def test_consent_is_enforced(cdr, mint, world, good):
    other = customer_of(world, BANK, "user_overdrawn")["accounts"][0]
    basic_only = mint(BANK, "user_good", "bank:accounts.basic:read",
                      accounts=[good["accounts"][0]["id"]])

    foreign = cdr(f"/banking/accounts/{other['id']}/balance")
    hidden = cdr(f"/banking/accounts/{good['accounts'][1]['id']}/balance", token=basic_only)
    no_scope = cdr(f"/banking/accounts/{good['accounts'][0]['id']}/transactions",
                   token=basic_only)
    no_token = cdr("/banking/accounts", token=None)
    listed = cdr("/banking/accounts", token=basic_only).get_json()["data"]["accounts"]

    assert foreign.status_code == hidden.status_code == 404
    assert codes(foreign) == ["urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount"]
    assert no_scope.status_code == 403
    assert no_token.status_code == 401 and no_token.headers["WWW-Authenticate"]
    assert [a["accountId"] for a in listed] == [good["accounts"][0]["id"]]


def test_a_transaction_of_another_account_is_not_found(cdr, good):
    checking, savings = good["accounts"][0], good["accounts"][1]
    response = cdr(f"/banking/accounts/{savings['id']}/transactions/"
                   f"{checking['transactions'][0]['id']}")

    assert response.status_code == 404
    assert codes(response) == ["urn:au-cds:error:cds-all:Resource/Invalid"]


def test_every_read_is_in_the_access_log(cdr, client, cdr_token):
    consent = client.post(f"/banks/{BANK}/introspect", auth=("demo-app", "demo-secret"),
                          data={"token": cdr_token}).get_json()["consent_id"]
    cdr("/common/customer")
    cdr("/banking/accounts/balances")

    log = client.get("/sandbox/access-log", query_string={"consent_id": consent},
                     headers=ADMIN).get_json()["data"]
    assert [entry["resource"] for entry in log[:2]] == ["balances", "identity"]
    assert log[0]["path"].startswith(BASE)


def test_a_cdr_token_reads_v1_through_the_scope_table(client, cdr_token, good):
    response = client.get(f"/banks/{BANK}/v1/accounts/{good['accounts'][0]['id']}/balances",
                          headers=bearer(cdr_token))
    receipts = client.get(f"/banks/{BANK}/v1/receipts", headers=bearer(cdr_token))

    assert response.status_code == 200
    assert receipts.status_code == 403


def test_injected_faults_answer_in_cdrs_shape(cdr, client):
    by_header = cdr("/banking/accounts", headers={"X-Sandbox-Fault": "status=503"})
    rule = {"bank_id": BANK, "fault": "status=500", "probability": 1.0}
    client.put("/sandbox/faults", json={"rules": [rule]}, headers=ADMIN)
    try:
        by_rule = cdr("/banking/accounts")
    finally:
        client.delete("/sandbox/faults", headers=ADMIN)

    assert by_header.status_code == 503
    assert codes(by_header) == ["urn:au-cds:error:cds-all:Service/Unavailable"]
    assert by_rule.status_code == 500
    assert codes(by_rule) == ["urn:au-cds:error:cds-all:GeneralError/Unexpected"]
    assert by_rule.headers["x-fapi-interaction-id"]


def test_discovery_lists_the_dialect_and_the_documents_are_served(client):
    metadata = client.get(f"/banks/{BANK}/.well-known/openid-configuration").get_json()
    document = client.get("/openapi/cdr-banking.json")
    page = client.get("/docs").get_data(as_text=True)

    assert metadata["api_dialects"]["cdr"]["base_url"].endswith(BASE)
    assert metadata["cdr_arrangement_revocation_endpoint"].endswith("/arrangements/revoke")
    assert set(CDR_SCOPES.split()) <= set(metadata["scopes_supported"])
    assert document.get_json()["info"]["version"] == "1.36.0"
    assert document.get_json()["servers"][0]["url"].endswith("/banks/{bank_id}/cds-au/v1")
    assert '"url": "/openapi/cdr-banking.json"' in page and "/openapi/cdr-common.json" in page
    assert client.get("/openapi/nothing.json").status_code == 404


def test_unsupported_method_is_a_405(client):
    response = client.delete(f"{BASE}/banking/accounts")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_balances_of_specific_accounts(client, cdr_token, good):
    headers = {**bearer(cdr_token), "x-v": "1"}
    wanted = [good["accounts"][1]["id"]]

    def post(body):
        response = client.post(f"{BASE}/banking/accounts/balances", json=body, headers=headers)
        conforms(response)
        return response

    chosen = post({"data": {"accountIds": wanted}})
    foreign = post({"data": {"accountIds": [*wanted, "acc_nobody"]}})
    missing = post({"accountIds": wanted})

    assert [b["accountId"] for b in chosen.get_json()["data"]["balances"]] == wanted
    assert foreign.status_code == 422
    assert codes(foreign) == ["urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount"]
    assert missing.status_code == 400
    assert codes(missing) == ["urn:au-cds:error:cds-all:Field/Missing"]
