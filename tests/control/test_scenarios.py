"""Scenario documents: the bundled scenarios set up what they promise, seen through the data
API; invalid documents name every error's path and change nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sandbox.cli import main
from sandbox.services.scenarios import bundled_scenario

SCENARIOS = sorted(p.stem for p in Path(__file__).resolve().parents[2]
                   .joinpath("fixtures", "scenarios").glob("*.yaml"))


def load(client, admin, name: str):
    path = bundled_scenario(name)
    response = client.post("/sandbox/fixtures", data=path.read_bytes(), headers=admin,
                           content_type="application/yaml")
    assert response.status_code == 201, response.json
    return response.json


def api(client, loaded: dict, path: str, **query):
    customer = loaded["customers"][0]
    token = customer["tokens"][0]["access_token"]
    response = client.get(f"/banks/{customer['bank_id']}/v1{path}", query_string=query,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    return response.json


def account_of(loaded: dict, kind: str) -> str:
    return next(a["id"] for a in loaded["customers"][0]["accounts"] if a["type"] == kind)


def oldest_first(page: dict) -> list[dict]:
    return sorted(page["data"], key=lambda t: (t["authorized_at"], t["id"]))


def test_there_are_at_least_five_ready_scenarios():
    assert len(SCENARIOS) >= 5


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_bundled_scenario_loads_and_hands_out_credentials(client, admin, name):
    loaded = load(client, admin, name)

    customer = loaded["customers"][0]
    assert customer["password"] == "pass_good"
    assert customer["accounts"] and customer["tokens"]
    assert loaded["counts"]["consents"] == len(customer["tokens"])


def test_overdrawn_with_a_returned_payment(client, admin):
    loaded = load(client, admin, "overdrawn_returned_payment")
    checking = account_of(loaded, "checking")

    balances = api(client, loaded, f"/accounts/{checking}/balances")
    rows = oldest_first(api(client, loaded, f"/accounts/{checking}/transactions"))
    bill = next(r for r in rows if r["description"] == "RIDGELINE POWER & LIGHT AUTOPAY")
    returned = next(r for r in rows if r["description"].startswith("RETURNED ITEM -"))

    assert balances["current"] == "-70.00"
    assert bill["running_balance"].startswith("-")
    assert returned["amount"] == bill["amount"].lstrip("-")
    assert [r["amount"] for r in rows if r["category"] == "fees"] == ["-35.00", "-35.00"]
    assert [r["running_balance"] for r in rows][-1] == "-70.00"


def test_card_purchase_declined_then_approved(client, admin):
    loaded = load(client, admin, "card_declined_then_approved")
    card = account_of(loaded, "credit_card")

    balances = api(client, loaded, f"/accounts/{card}/balances")
    rows = oldest_first(api(client, loaded, f"/accounts/{card}/transactions"))
    attempts = [r for r in rows if r["merchant"] and r["merchant"]["id"] == "mch_circuitden"]

    assert [(r["amount"], r["status"]) for r in attempts] == [("0.00", "posted"),
                                                              ("-249.99", "pending")]
    assert attempts[0]["description"].startswith("DECLINED")
    assert (balances["current"], balances["credit_limit"]) == ("340.00", "1000.00")
    assert balances["available"] == "410.01"


def test_subscription_price_rise(client, admin):
    loaded = load(client, admin, "subscription_price_rise")
    card = account_of(loaded, "credit_card")

    rows = oldest_first(api(client, loaded, f"/accounts/{card}/transactions",
                            category="subscriptions"))

    assert [r["amount"] for r in rows] == ["-9.99"] * 4 + ["-15.49"] * 2
    assert {r["merchant"]["name"] for r in rows} == {"StreamVale"}


def test_delayed_parcel_is_delayed_now(client, admin):
    loaded = load(client, admin, "delayed_parcel")

    shipments = api(client, loaded, "/shipments")["data"]
    receipts = api(client, loaded, "/receipts")["data"]

    assert [s["status"] for s in shipments] == ["delayed"]
    assert shipments[0]["carrier"] == "Bluejay Parcel"
    assert [e["status"] for e in shipments[0]["events"]] == ["label_created", "in_transit",
                                                              "delayed"]
    assert receipts[0]["total"] == "129.59"
    assert receipts[0]["line_items"][0]["description"] == "Wireless headphones"


def test_consent_expiring_tomorrow_works_today(client, admin):
    loaded = load(client, admin, "consent_expiring_tomorrow")

    token = loaded["customers"][0]["tokens"][0]
    accounts = api(client, loaded, "/accounts")["data"]
    consent = client.get(f"/banks/cobaltpeak/consents/{token['consent_id']}",
                         headers={"Authorization": f"Bearer {token['access_token']}"})
    now = client.get("/sandbox/clock", headers=admin).json["now"]
    history = api(client, loaded, f"/accounts/{accounts[0]['id']}/transactions", limit=100)

    assert len(accounts) >= 2
    assert len(history["data"]) > 20
    assert consent.json["status"] == "authorized"
    assert consent.json["expires_at"][:10] > now[:10]


def test_pending_purchase_holds_the_available_balance(client, admin):
    loaded = load(client, admin, "pending_card_purchase")
    checking = account_of(loaded, "checking")

    balances = api(client, loaded, f"/accounts/{checking}/balances")
    rows = api(client, loaded, f"/accounts/{checking}/transactions")["data"]

    assert (balances["current"], balances["available"]) == ("500.00", "495.25")
    assert [(r["status"], r["posted_at"], r["running_balance"]) for r in rows] == [
        ("pending", None, None)]


def invalid_document() -> dict:
    good = {"amount": "-1.00"}
    return {"banks": [{"id": "harborline", "customers": [
        {"username": "qa_first"},
        {"username": "qa_second", "accounts": [{"type": "savings"}]},
        {"username": "qa_third", "accounts": [{"transactions": [good] * 5 + [
            {"amount": "12.345"}]}]},
    ]}]}


def test_an_invalid_document_names_the_path_and_changes_nothing(client, admin):
    before = client.get("/sandbox/access-log", headers=admin)
    response = client.post("/sandbox/fixtures", json=invalid_document(), headers=admin)
    mint = client.post("/sandbox/banks/harborline/tokens", json={"username": "qa_first"},
                       headers=admin)

    assert before.status_code == 200
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["path"] for e in response.json["errors"]] == [
        "banks[0].customers[2].accounts[0].transactions[5].amount"]
    assert mint.status_code == 422


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [({"merchant": {"id": "mch_nowhere"}}, "transactions[0].merchant.id", "No merchant"),
     ({"merchant": {"id": "mch_voltage"}, "receipt": {"total": "10.00"}},
      "transactions[0].receipt.total", "subtotal + tax + tip + shipping"),
     ({"merchant": {"id": "mch_voltage"},
       "receipt": {"line_items": [{"description": "Cable", "unit_price": "4.00"}]}},
      "transactions[0].receipt.total", "paid 20.00"),
     ({"status": "pending", "posted_at": "now"}, "transactions[0].posted_at", "not posted"),
     ({"authorized_at": "now+P1D"}, "transactions[0].authorized_at", "after the sandbox"),
     ({"status": "pending", "posts_at": "now-P1D"}, "transactions[0].posts_at", "after now")],
)
def test_database_checks_name_their_path_too(client, admin, change, path, message):
    document = {"banks": [{"id": "harborline", "customers": [{"username": "qa_checks",
                "accounts": [{"transactions": [{"amount": "-20.00", **change}]}]}]}]}

    response = client.post("/sandbox/fixtures", json=document, headers=admin)

    assert response.status_code == 422
    prefix = "banks[0].customers[0].accounts[0]."
    assert [e["path"] for e in response.json["errors"]] == [prefix + path]
    assert message in response.json["errors"][0]["message"]


@pytest.mark.parametrize("amount", ["100000000000000000000000000", "1e40", "-1000000000000"])
def test_an_amount_too_large_for_the_ledger_is_a_422_naming_it(client, admin, amount):
    document = {"banks": [{"id": "harborline", "customers": [{"username": "qa_huge",
                "accounts": [{"transactions": [{"amount": amount}]}]}]}]}

    response = client.post("/sandbox/fixtures", json=document, headers=admin)

    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == (
        "banks[0].customers[0].accounts[0].transactions[0].amount")
    assert "out of range" in response.json["errors"][0]["message"]


def test_another_customers_account_is_refused(client, admin):
    victim = client.post("/sandbox/banks/harborline/customers", json={"username": "qa_victim"},
                         headers=admin).json["accounts"][0]["id"]
    document = {"banks": [{"id": "harborline", "customers": [
        {"username": "qa_thief", "accounts": [{"id": victim, "balances": {"current": "0"}}]}]}]}

    response = client.post("/sandbox/fixtures", json=document, headers=admin)

    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "banks[0].customers[0].accounts[0].id"


def test_json_documents_load_too_and_loading_twice_is_idempotent(client, admin):
    document = {"banks": [{"id": "juniper", "customers": [{"username": "qa_twice", "accounts": [
        {"type": "checking", "transactions": [
            {"amount": "100.00", "authorized_at": "2026-02-20T10:00:00Z"},
            {"amount": "-30.00", "authorized_at": "2026-02-21T10:00:00Z"}]}]}]}]}

    first = client.post("/sandbox/fixtures", data=json.dumps(document), headers=admin,
                        content_type="application/json")
    second = client.post("/sandbox/fixtures", data=yaml.safe_dump(document), headers=admin,
                         content_type="application/yaml")
    account = first.json["customers"][0]["accounts"][0]["id"]
    token = client.post("/sandbox/banks/juniper/tokens", json={"username": "qa_twice"},
                        headers=admin).json["access_token"]
    balances = client.get(f"/banks/juniper/v1/accounts/{account}/balances",
                          headers={"Authorization": f"Bearer {token}"}).json

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json["customers"][0]["accounts"][0]["id"] == account
    assert balances["current"] == "70.00"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("banks: [unclosed", "application/yaml"), ("{\"banks\": ", "application/json"),
     ("- just a list", "application/yaml")],
)
def test_unparseable_documents_are_a_400(client, admin, body, content_type):
    response = client.post("/sandbox/fixtures", data=body, headers=admin,
                           content_type=content_type)

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_sandbox_load_command(app, runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"banks": [{"id": "copperleaf", "customers": [
        {"username": "qa_cli", "accounts": [{"balances": {"current": "12.34"}}]}]}]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(invalid_document()))
    database = ["--database", app.config["SQLALCHEMY_DATABASE_URI"]]

    loaded = runner.invoke(main, ["load", str(good), *database])
    refused = runner.invoke(main, ["load", str(bad), *database])

    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.output)["customers"][0]["username"] == "qa_cli"
    assert refused.exit_code == 1
    assert "banks[0].customers[2].accounts[0].transactions[5].amount" in refused.output
    assert "nothing was changed" in refused.output


def test_sandbox_customer_and_inject_commands(app, runner, tmp_path):
    spec = tmp_path / "alice.yaml"
    spec.write_text(yaml.safe_dump({"username": "qa_cli_alice",
                                    "accounts": [{"type": "checking"}]}))
    purchases = tmp_path / "purchases.json"
    purchases.write_text(json.dumps({"transactions": [
        {"amount": "-42.17", "description": "CORNER CAFE", "status": "posted"}]}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"transactions": [{"description": "no amount"}]}))
    database = ["--database", app.config["SQLALCHEMY_DATABASE_URI"]]

    created = runner.invoke(main, ["customer", "juniper", str(spec), *database])
    assert created.exit_code == 0, created.output
    customer = json.loads(created.output)
    assert customer["username"] == "qa_cli_alice" and customer["password"]
    account_id = customer["accounts"][0]["id"]

    injected = runner.invoke(main, ["inject", "juniper", account_id, str(purchases), *database])
    refused = runner.invoke(main, ["inject", "juniper", account_id, str(bad), *database])
    unknown = runner.invoke(main, ["inject", "juniper", "acc_nope", str(purchases), *database])

    assert injected.exit_code == 0, injected.output
    answer = json.loads(injected.output)
    assert len(answer["transaction_ids"]) == 1
    assert answer["balances"]["current"] == "-42.17"
    assert refused.exit_code == 1
    assert "transactions[0].amount" in refused.output and "nothing was changed" in refused.output
    assert unknown.exit_code == 1
