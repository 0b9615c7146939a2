"""A scenario loaded through the control plane reads the same through v1 and through the CDR
dialect: the same accounts, balances, transactions, amounts and dates."""
from __future__ import annotations

from decimal import Decimal

import yaml

from sandbox.config import DEFAULT_ADMIN_KEY
from tests.dialects.cdr.conftest import BANK, CDR_SCOPES, bearer, conforms

SCENARIO = {
    "name": "One customer read through v1 and CDR",
    "banks": [{"id": BANK, "customers": [{
        "username": "qa_cdr", "password": "pass_good", "name": "Robin Ash Keller",
        "accounts": [
            {"type": "checking", "balances": {"current": "1250.40"}, "transactions": [
                {"amount": "2400.00", "description": "PAYROLL", "category": "income",
                 "channel": "ach", "authorized_at": "now-P20D"},
                {"amount": "-64.10", "merchant": {"id": "mch_greenbasket"},
                 "authorized_at": "now-P5D"},
                {"amount": "-4.75", "merchant": {"id": "mch_daybreak"}, "status": "pending",
                 "posts_at": "now+P2D", "authorized_at": "now-PT1H"},
            ]},
            {"type": "credit_card", "balances": {"current": "310.00"}, "transactions": [
                {"amount": "-310.00", "merchant": {"id": "mch_greenbasket"},
                 "authorized_at": "now-P2D"},
            ]},
        ],
        "consents": [{"client_id": "demo-app",
                      "scope": f"accounts balances transactions identity {CDR_SCOPES}"}],
    }]}],
}


def test_a_scenario_reads_the_same_through_v1_and_cdr(client):
    loaded = client.post("/sandbox/fixtures", data=yaml.safe_dump(SCENARIO),
                         content_type="application/yaml",
                         headers={"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY})
    assert loaded.status_code == 201, loaded.get_json()
    token = loaded.get_json()["customers"][0]["tokens"][0]["access_token"]

    def v1(path):
        return client.get(f"/banks/{BANK}/v1{path}", headers=bearer(token)).get_json()

    def cdr(path, version="99", **query):
        response = client.get(f"/banks/{BANK}/cds-au/v1{path}", query_string=query,
                              headers={**bearer(token), "x-v": version, "x-min-v": "1"})
        conforms(response)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]

    accounts = v1("/accounts")["data"]
    assert [a["accountId"] for a in cdr("/banking/accounts")["accounts"]] == \
        [a["id"] for a in accounts]
    balances = {b["accountId"]: b for b in cdr("/banking/accounts/balances")["balances"]}
    for account in accounts:
        own = v1(f"/accounts/{account['id']}/balances")
        sign = -1 if account["type"] == "credit_card" else 1
        assert Decimal(balances[account["id"]]["currentBalance"]) == sign * Decimal(own["current"])
        rows = v1(f"/accounts/{account['id']}/transactions")["data"]
        mapped = cdr(f"/banking/accounts/{account['id']}/transactions",
                     **{"oldest-time": "2000-01-01T00:00:00Z"})["transactions"]
        assert [(t["transactionId"], t["amount"], t["status"], t["executionDateTime"],
                 t.get("postingDateTime")) for t in mapped] == \
            [(t["id"], t["amount"], t["status"].upper(), t["authorized_at"], t["posted_at"])
             for t in rows]
    checking = accounts[0]["id"]
    assert Decimal(balances[checking]["currentBalance"]) == Decimal("1250.40")
    person = cdr("/common/customer")["person"]
    assert (person["firstName"], person["middleNames"], person["lastName"]) == \
        ("Robin", ["Ash"], "Keller")
