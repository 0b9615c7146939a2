"""Moving the sandbox clock: forward only; the world, pending rows, parcels, consents and
tokens follow."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from sandbox.cli import main
from sandbox.services.scenarios import bundled_scenario


def now_of(client, admin) -> datetime:
    return datetime.fromisoformat(client.get("/sandbox/clock", headers=admin).json["now"]
                                  .replace("Z", "+00:00"))


def iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def scenario(client, admin, name: str) -> dict:
    response = client.post("/sandbox/fixtures", data=bundled_scenario(name).read_bytes(),
                           headers=admin, content_type="application/yaml")
    assert response.status_code == 201, response.json
    return response.json["customers"][0]


def test_the_test_world_clock_is_frozen(client, admin):
    assert client.get("/sandbox/clock", headers=admin).json == {
        "now": "2026-03-01T12:00:00Z", "frozen": True}


@pytest.mark.parametrize(
    ("body", "path"),
    [({"advance": "3 days"}, "advance"), ({"advance": "P"}, "advance"),
     ({"set": "yesterday"}, "set"), ({"advance": "P1D", "set": "2027-01-01T00:00:00Z"}, "set"),
     ({}, "(body)")],
)
def test_malformed_moves_are_422_naming_the_field(client, admin, body, path):
    response = client.post("/sandbox/clock", json=body, headers=admin)

    assert response.status_code == 422
    assert [e["path"] for e in response.json["errors"]] == [path]


def test_moving_backwards_is_refused(client, admin):
    before = now_of(client, admin)

    response = client.post("/sandbox/clock", json={"set": iso(before - timedelta(hours=1))},
                           headers=admin)

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "only moves forward" in response.json["detail"]
    assert now_of(client, admin) == before


def test_advancing_generates_the_days_in_between_and_posts_pending_rows(client, admin):
    token = client.post("/sandbox/banks/harborline/tokens", json={"username": "user_business"},
                        headers=admin).json["access_token"]
    checking = next(a["id"] for a in client.get("/banks/harborline/v1/accounts",
                                                headers=bearer(token)).json["data"]
                    if a["type"] == "checking")
    path = f"/banks/harborline/v1/accounts/{checking}/transactions"
    before = now_of(client, admin)
    pending_before = client.get(path, query_string={"status": "pending"},
                                headers=bearer(token)).json["data"]

    moved = client.post("/sandbox/clock", json={"advance": "P3D"}, headers=admin)
    expired = client.get(path, headers=bearer(token))
    token = client.post("/sandbox/banks/harborline/tokens", json={"username": "user_business"},
                        headers=admin).json["access_token"]
    latest = client.get(path, query_string={"limit": 1}, headers=bearer(token)).json["data"][0]
    pending_after = {t["id"] for t in client.get(path, query_string={"status": "pending"},
                                                  headers=bearer(token)).json["data"]}

    assert moved.status_code == 200
    assert moved.json == {"now": iso(before + timedelta(days=3)), "frozen": True}
    assert expired.status_code == 401
    assert latest["authorized_at"] > iso(before)
    assert pending_before
    assert not pending_after & {t["id"] for t in pending_before}


def test_consents_expire_by_the_clock(client, admin):
    expiring = scenario(client, admin, "consent_expiring_tomorrow")["tokens"][0]
    accounts = "/banks/cobaltpeak/v1/accounts"
    today = client.get(accounts, headers=bearer(expiring["access_token"]))

    client.post("/sandbox/clock", json={"advance": "P2D"}, headers=admin)
    fresh = client.post("/sandbox/banks/cobaltpeak/tokens", headers=admin,
                        json={"username": "user_good", "scope": "accounts"}).json
    expired = client.get(accounts, headers=bearer(expiring["access_token"]))
    consent = client.get(f"/banks/cobaltpeak/consents/{expiring['consent_id']}",
                         headers=bearer(fresh["access_token"]))

    assert today.status_code == 200
    assert expired.status_code == 401
    assert "invalid_token" in expired.headers["WWW-Authenticate"]
    assert consent.json["status"] == "expired"
    assert client.get(accounts, headers=bearer(fresh["access_token"])).status_code == 200


def test_parcels_move_along_and_pending_purchases_post(client, admin):
    shopper = scenario(client, admin, "delayed_parcel")
    pending = scenario(client, admin, "pending_card_purchase")
    shipments = "/banks/copperleaf/v1/shipments"
    checking = pending["accounts"][0]["id"]
    balances = f"/banks/harborline/v1/accounts/{checking}/balances"

    client.post("/sandbox/clock", json={"advance": "P3D"}, headers=admin)
    fresh = {kind: client.post(f"/sandbox/banks/{bank}/tokens", headers=admin,
                               json={"username": customer["username"]}).json["access_token"]
             for kind, bank, customer in (("shopper", "copperleaf", shopper),
                                          ("pending", "harborline", pending))}
    parcel = client.get(shipments, headers=bearer(fresh["shopper"])).json["data"][0]
    after = client.get(balances, headers=bearer(fresh["pending"])).json

    assert parcel["status"] == "delivered"
    assert [e["status"] for e in parcel["events"]][2:] == ["delayed", "in_transit",
                                                            "out_for_delivery", "delivered"]
    assert parcel["delivered_at"] is not None
    assert (after["current"], after["available"]) == ("495.25", "495.25")


def test_unfreezing_lets_the_clock_run_from_where_it_stood(client, admin):
    before = now_of(client, admin)

    running = client.post("/sandbox/clock", json={"freeze": False}, headers=admin).json
    frozen = client.post("/sandbox/clock", json={"freeze": True}, headers=admin).json

    assert running["frozen"] is False
    assert frozen["frozen"] is True
    assert before <= datetime.fromisoformat(frozen["now"].replace("Z", "+00:00"))


def test_sandbox_clock_command(app, runner):
    database = ["--database", app.config["SQLALCHEMY_DATABASE_URI"]]

    shown = runner.invoke(main, ["clock", *database])
    moved = runner.invoke(main, ["clock", "--advance", "PT90M", *database])
    backwards = runner.invoke(main, ["clock", "--set", "2020-01-01T00:00:00Z", *database])

    assert shown.exit_code == 0, shown.output
    before = datetime.fromisoformat(json.loads(shown.output)["now"].replace("Z", "+00:00"))
    after = datetime.fromisoformat(json.loads(moved.output)["now"].replace("Z", "+00:00"))
    assert after - before >= timedelta(minutes=90)
    assert backwards.exit_code == 1
    assert "only moves forward" in backwards.output


def test_a_running_clock_is_caught_up_by_the_worker_not_by_a_read(app, client, admin,
                                                                   monkeypatch):
    from sandbox.extensions import db
    from sandbox.models import WorldState
    from sandbox import worker
    from sandbox.services import world

    client.post("/sandbox/clock", json={"freeze": False}, headers=admin)
    before = now_of(client, admin)
    with app.app_context():
        state = db.session.get(WorldState, 1)
        state.clock_offset_seconds += 2 * 86_400
        db.session.commit()
    monkeypatch.setattr(world, "_next_look", 0.0)
    token = client.post("/sandbox/banks/harborline/tokens", json={"username": "user_business"},
                        headers=admin).json["access_token"]
    checking = next(a["id"] for a in client.get("/banks/harborline/v1/accounts",
                                                headers=bearer(token)).json["data"]
                    if a["type"] == "checking")
    url = f"/banks/harborline/v1/accounts/{checking}/transactions"
    unread = client.get(url, query_string={"limit": 1}, headers=bearer(token)).json["data"][0]
    with app.app_context():
        worker.run_once("test-worker")
    latest = client.get(url, query_string={"limit": 1}, headers=bearer(token)).json["data"][0]
    client.post("/sandbox/clock", json={"freeze": True}, headers=admin)

    assert unread["authorized_at"][:10] <= iso(before)[:10]
    assert latest["authorized_at"][:10] > iso(before)[:10]