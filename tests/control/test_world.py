"""Reset (snapshot restore), export, access log, minted tokens, custom customers and
injected transactions."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from sandbox import create_app
from sandbox.cli import main
from sandbox.extensions import db
from sandbox.models import Customer
from tests.conftest import fresh_database

WORLD = {"seed": 42, "customers": 2, "months": 3, "as_of": "2026-03-01"}


@pytest.fixture(scope="module")
def app(world_template, tmp_path_factory):
    """The test world, with snapshots kept in a folder of this module."""
    folder = tmp_path_factory.mktemp("world")
    with fresh_database(folder, world_template) as url:
        application = create_app({"SQLALCHEMY_DATABASE_URI": url,
                                  "SANDBOX_SNAPSHOT_DIR": str(folder / "snapshots"),
                                  "SANDBOX_HISTORY_MONTHS": 3, "TESTING": True})
        yield application
        with application.app_context():
            db.engine.dispose()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def mint(client, admin, bank="harborline", **body) -> dict:
    response = client.post(f"/sandbox/banks/{bank}/tokens", json=body, headers=admin)
    assert response.status_code == 201, response.json
    return response.json


def customers_seen_by_another_connection(app) -> set[str]:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        names = set(connection.scalars(sa.select(Customer.username)))
    engine.dispose()
    return names


def test_reset_restores_a_fresh_world_for_every_connection(app, client, admin):
    first = client.post("/sandbox/reset", json=WORLD, headers=admin)
    client.post("/sandbox/banks/juniper/customers", json={"username": "qa_temporary"},
                headers=admin)
    client.post("/sandbox/clock", json={"advance": "P1D"}, headers=admin)
    client.put("/sandbox/faults", json={"rules": [{"fault": "status=503"}]}, headers=admin)
    changed = customers_seen_by_another_connection(app)

    again = client.post("/sandbox/reset", json={}, headers=admin)

    assert first.status_code == again.status_code == 200
    assert first.json["snapshot"] is False
    assert again.json == {**again.json, **WORLD, "snapshot": True}
    assert "qa_temporary" in changed
    assert "qa_temporary" not in customers_seen_by_another_connection(app)
    assert client.get("/sandbox/clock", headers=admin).json["now"] == "2026-03-01T12:00:00Z"
    assert client.get("/sandbox/faults", headers=admin).json["rules"] == []


def identity_name(client, admin) -> str:
    token = mint(client, admin, username="user_good", scope="identity")["access_token"]
    return client.get("/banks/harborline/v1/identity", headers=bearer(token)).json["name"]


def test_reset_to_another_seed_builds_its_world(client, admin):
    client.post("/sandbox/reset", json=WORLD, headers=admin)  # the snapshot to come back to
    original = identity_name(client, admin)

    other = client.post("/sandbox/reset", json={**WORLD, "seed": 7}, headers=admin)
    renamed = identity_name(client, admin)
    back = client.post("/sandbox/reset", json=WORLD, headers=admin)

    assert other.json["seed"] == 7
    assert renamed != original
    assert back.json["snapshot"] is True
    assert identity_name(client, admin) == original


def test_export_streams_what_sandbox_export_writes(app, client, admin, runner):
    response = client.get("/sandbox/export", query_string={"bank_id": "juniper"},
                          headers=admin)
    cli = runner.invoke(main, ["export", "--bank", "juniper", "--database",
                               app.config["SQLALCHEMY_DATABASE_URI"]])

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == cli.output
    assert [bank["id"] for bank in json.loads(cli.output)["banks"]] == ["juniper"]


def test_export_of_an_unknown_bank_is_404(client, admin):
    response = client.get("/sandbox/export", query_string={"bank_id": "nowhere"}, headers=admin)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_access_log_filters_and_pages(client, admin):
    token = mint(client, admin, username="user_mfa", scope="accounts balances")
    for _ in range(3):
        assert client.get("/banks/harborline/v1/accounts",
                          headers=bearer(token["access_token"])).status_code == 200
    other = mint(client, admin, username="user_mfa", scope="accounts")
    client.get("/banks/harborline/v1/accounts", headers=bearer(other["access_token"]))

    by_user = client.get("/sandbox/access-log", headers=admin,
                         query_string={"username": "user_mfa", "bank_id": "harborline"}).json
    first = client.get("/sandbox/access-log", headers=admin, query_string={
        "consent_id": token["consent_id"], "limit": 2}).json
    second = client.get("/sandbox/access-log", headers=admin, query_string={
        "consent_id": token["consent_id"], "limit": 2, "cursor": first["next_cursor"]}).json
    nobody = client.get("/sandbox/access-log", headers=admin,
                        query_string={"client_id": "no-such-client"}).json
    bad = client.get("/sandbox/access-log", headers=admin, query_string={"cursor": "xyz"})

    assert len(by_user["data"]) == 4
    assert by_user["data"][0]["consent_id"] == other["consent_id"]
    assert {e["resource"] for e in by_user["data"]} == {"accounts"}
    assert {e["client_id"] for e in by_user["data"]} == {"demo-app"}
    assert [len(first["data"]), len(second["data"]), second["next_cursor"]] == [2, 1, None]
    assert first["data"][0]["id"] > first["data"][1]["id"] > second["data"][0]["id"]
    assert nobody == {"data": [], "next_cursor": None}
    assert bad.status_code == 422
    assert [error["path"] for error in bad.json["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    ("bank", "body", "status", "path"),
    [("nowhere", {"username": "user_good"}, 404, None),
     ("harborline", {"username": "user_good", "client_id": "stranger"}, 422, "client_id"),
     ("harborline", {"username": "user_good", "scope": "accounts everything"}, 422, "scope"),
     ("harborline", {"username": "nobody"}, 422, None),
     ("harborline", {"username": "user_good", "account_ids": ["acc_not_mine"]}, 422, None),
     ("harborline", {}, 422, "username")],
)
def test_minting_refuses_what_does_not_exist(client, admin, bank, body, status, path):
    response = client.post(f"/sandbox/banks/{bank}/tokens", json=body, headers=admin)

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    if path:
        assert [e["path"] for e in response.json["errors"]] == [path]


def test_a_minted_token_reads_only_its_accounts_and_scopes(client, admin):
    everything = mint(client, admin, username="user_good")
    accounts = client.get("/banks/harborline/v1/accounts",
                          headers=bearer(everything["access_token"])).json["data"]
    narrow = mint(client, admin, username="user_good", scope="accounts",
                  account_ids=[accounts[0]["id"]])

    listed = client.get("/banks/harborline/v1/accounts", headers=bearer(narrow["access_token"]))
    balances = client.get(f"/banks/harborline/v1/accounts/{accounts[0]['id']}/balances",
                          headers=bearer(narrow["access_token"]))

    assert everything["refresh_token"] and everything["token_type"] == "Bearer"
    assert narrow["refresh_token"] is None
    assert [a["id"] for a in listed.json["data"]] == [accounts[0]["id"]]
    assert balances.status_code == 403


def test_a_custom_customer_from_an_empty_spec(client, admin):
    created = client.post("/sandbox/banks/copperleaf/customers", json={}, headers=admin)
    body = created.json
    token = mint(client, admin, "copperleaf", username=body["username"])
    identity = client.get("/banks/copperleaf/v1/identity", headers=bearer(token["access_token"]))

    assert created.status_code == 201
    assert body["username"].startswith("qa_") and body["password"] == "pass_good"
    assert {a["type"] for a in body["accounts"]} >= {"checking"}
    assert identity.json["id"] == body["customer_id"]


def test_a_custom_customer_with_accounts_and_a_consent(client, admin):
    spec = {"username": "qa_custom", "password": "s3cret!", "name": "Avery Quinn",
            "accounts": [{"type": "checking", "balances": {"current": "250.00"}},
                         {"type": "credit_card", "credit_limit": "1500.00",
                          "balances": {"current": "300.00"}}],
            "consents": [{"scope": "accounts balances"}]}

    body = client.post("/sandbox/banks/juniper/customers", json=spec, headers=admin).json
    token = body["tokens"][0]["access_token"]
    card = body["accounts"][1]["id"]
    balances = client.get(f"/banks/juniper/v1/accounts/{card}/balances",
                          headers=bearer(token)).json

    assert body["password"] == "s3cret!"
    assert [a["type"] for a in body["accounts"]] == ["checking", "credit_card"]
    assert balances == {**balances, "current": "300.00", "available": "1200.00",
                        "credit_limit": "1500.00"}


@pytest.mark.parametrize(
    ("spec", "path"),
    [({"accounts": [{"type": "mortgage"}]}, "accounts[0].type"),
     ({"accounts": [{"type": "savings", "balances": {"current": "abc"}}]},
      "accounts[0].balances.current"),
     ({"email": "not-an-email"}, "email")],
)
def test_invalid_customer_specs_name_the_field(client, admin, spec, path):
    response = client.post("/sandbox/banks/juniper/customers", json=spec, headers=admin)

    assert response.status_code == 422
    assert [e["path"] for e in response.json["errors"]] == [path]


def test_injected_transactions_move_balances_and_running_balances(client, admin):
    customer = client.post("/sandbox/banks/harborline/customers", headers=admin, json={
        "username": "qa_inject", "accounts": [{"transactions": [
            {"amount": "1000.00", "authorized_at": "2026-02-01T09:00:00Z"},
            {"amount": "-100.00", "authorized_at": "2026-02-10T09:00:00Z"}]}]}).json
    account = customer["accounts"][0]["id"]
    path = f"/sandbox/banks/harborline/accounts/{account}/transactions"

    injected = client.post(path, headers=admin, json={"transactions": [
        {"amount": "-50.00", "description": "BACKDATED", "authorized_at": "2026-02-05T09:00:00Z"},
        {"amount": "-20.00", "description": "CORNER CAFE", "status": "pending"}]})
    token = mint(client, admin, username="qa_inject")["access_token"]
    rows = client.get(f"/banks/harborline/v1/accounts/{account}/transactions",
                      headers=bearer(token)).json["data"]

    assert injected.status_code == 201
    assert injected.json["balances"]["current"] == "850.00"
    assert injected.json["balances"]["available"] == "830.00"
    assert len(injected.json["transaction_ids"]) == 2
    posted = sorted((r["authorized_at"], r["amount"], r["running_balance"]) for r in rows
                    if r["status"] == "posted")
    assert [(amount, running) for _, amount, running in posted] == [
        ("1000.00", "1000.00"), ("-50.00", "950.00"), ("-100.00", "850.00")]


@pytest.mark.parametrize(
    ("bank", "account", "body", "status", "path"),
    [("harborline", "acc_nowhere", {"transactions": [{"amount": "1.00"}]}, 404, None),
     ("harborline", None, {"transactions": [{"amount": "1.00"}, {"amount": "x"}]}, 422,
      "transactions[1].amount"),
     ("harborline", None, {"transactions": []}, 422, "transactions"),
     ("juniper", None, {"transactions": [{"amount": "1.00"}]}, 404, None)],
)
def test_injection_errors(client, admin, bank, account, body, status, path):
    own = client.post("/sandbox/banks/harborline/customers", json={"username": "qa_target"},
                      headers=admin).json["accounts"][0]["id"]
    response = client.post(f"/sandbox/banks/{bank}/accounts/{account or own}/transactions",
                           json=body, headers=admin)

    assert response.status_code == status
    if path:
        assert [e["path"] for e in response.json["errors"]] == [path]


def test_token_access_log_and_faults_commands(app, runner, tmp_path):
    database = ["--database", app.config["SQLALCHEMY_DATABASE_URI"]]
    rules = tmp_path / "faults.yaml"
    rules.write_text("rules:\n  - {bank_id: juniper, fault: 'status=429;retry_after=5'}\n")

    minted = runner.invoke(main, ["token", "juniper", "user_new", "--scope", "accounts",
                                  *database])
    log = runner.invoke(main, ["access-log", "--bank", "juniper", "--limit", "5", *database])
    set_rules = runner.invoke(main, ["faults", "--set", str(rules), *database])
    cleared = runner.invoke(main, ["faults", "--clear", *database])

    assert minted.exit_code == 0, minted.output
    assert json.loads(minted.output)["scope"] == "accounts"
    assert log.exit_code == 0, log.output
    assert json.loads(set_rules.output)["rules"][0]["fault"] == "status=429;retry_after=5"
    assert json.loads(cleared.output) == {"maintenance": [], "rules": []}
