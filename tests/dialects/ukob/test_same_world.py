"""A scenario loaded through the control plane reads the same through v1 and UK Open
Banking: the same accounts, balances and transactions (amounts, dates, statuses, counts)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.dialects.ukob.protocol import PATH
from sandbox.services.scenarios import bundled_scenario

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
SCENARIOS = sorted(p.stem for p in Path(__file__).resolve().parents[3]
                   .joinpath("sandbox", "fixtures", "scenarios").glob("*.yaml"))


def signed(entry: dict) -> Decimal:
    amount = Decimal(entry["Amount"]["Amount"])
    return -amount if entry["CreditDebitIndicator"] == "Debit" else amount


def instant(v1: str | None) -> str | None:
    return None if v1 is None else v1.replace("Z", "+00:00")


def v1_walk(client, url: str, headers: dict) -> list[dict]:
    rows, cursor = [], None
    while True:
        page = client.get(url, query_string={"cursor": cursor} if cursor else {},
                          headers=headers).get_json()
        rows += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def ob_walk(client, url: str, headers: dict) -> list[dict]:
    rows = []
    while url:
        body = client.get(url, headers=headers).get_json()
        rows += body["Data"]["Transaction"]
        url = body["Links"].get("Next")
    return rows


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_scenario_reads_the_same_through_v1_and_uk_open_banking(client, valid, name):
    loaded = client.post("/sandbox/fixtures", data=bundled_scenario(name).read_bytes(),
                         headers=ADMIN, content_type="application/yaml")
    assert loaded.status_code == 201, loaded.get_json()
    customer = loaded.get_json()["customers"][0]
    token = customer["tokens"][0]
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    v1 = f"/banks/{customer['bank_id']}/v1"
    ob = f"http://localhost/banks/{customer['bank_id']}{PATH}"
    scopes = set(token["scope"].split())

    accounts = client.get(f"{v1}/accounts", headers=headers).get_json()["data"]
    listed = valid(client.get(f"{ob}/accounts", headers=headers)).get_json()["Data"]["Account"]
    assert [a["AccountId"] for a in listed] == [a["id"] for a in accounts]
    for account in accounts:
        if "balances" in scopes:
            ours = client.get(f"{v1}/accounts/{account['id']}/balances", headers=headers)
            theirs = valid(client.get(f"{ob}/accounts/{account['id']}/balances",
                                      headers=headers)).get_json()["Data"]["Balance"]
            by_type = {entry["Type"]: entry for entry in theirs}
            current = signed(by_type["ITBD"])
            owed = account["type"] in ("credit_card", "loan", "mortgage")
            assert (-current if owed else current) == Decimal(ours.get_json()["current"])
            if ours.get_json()["available"] is not None:
                assert signed(by_type["ITAV"]) == Decimal(ours.get_json()["available"])
        ours = v1_walk(client, f"{v1}/accounts/{account['id']}/transactions", headers)
        theirs = ob_walk(client, f"{ob}/accounts/{account['id']}/transactions", headers)
        assert len(theirs) == len(ours)
        for mine, other in zip(ours, theirs):
            assert other["TransactionId"] == mine["id"]
            assert signed(other) == Decimal(mine["amount"])
            assert other["BookingDateTime"] == instant(mine["authorized_at"])
            assert other.get("ValueDateTime") == instant(mine["posted_at"])
            assert other["Status"] == {"posted": "BOOK", "pending": "PDNG"}[mine["status"]]


def test_a_scenario_customer_reads_as_a_valid_party(client, valid):
    """Free-form scenario details (a phone number in no standard form) still make a party
    the published document accepts."""
    loaded = client.post("/sandbox/fixtures", headers=ADMIN, json={
        "name": "Party", "banks": [{"id": "harborline", "customers": [{
            "username": "qa_party", "name": "Quinn Party", "phone": "555 0100 ext. 7",
            "accounts": [{"type": "checking", "balances": {"current": "10.00"}}],
            "consents": [{"client_id": "demo-app", "scope": "accounts identity"}]}]}]})
    assert loaded.status_code == 201, loaded.get_json()
    customer = loaded.get_json()["customers"][0]
    headers = {"Authorization": f"Bearer {customer['tokens'][0]['access_token']}"}
    party = valid(client.get(f"/banks/harborline{PATH}/party", headers=headers))
    assert party.status_code == 200
    assert party.get_json()["Data"]["Party"]["Name"] == "Quinn Party"
    assert "Mobile" not in party.get_json()["Data"]["Party"]
