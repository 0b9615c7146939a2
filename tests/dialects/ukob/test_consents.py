"""Account-access consents: created by the client, authorized on the bank's pages, read and
revoked, every answer conforming to the published document."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from sandbox.clock import parse_instant
from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.extensions import db
from sandbox.models import WebhookDelivery

from tests.dialects.ukob.conftest import (
    ALL, BASE, bearer, authorize, consent_body, create, service_token,
)


def test_a_consent_goes_from_awaiting_to_authorised_to_cancelled(client, valid):
    created = valid(create(client, ALL, TransactionFromDateTime="2026-01-01T00:00:00+00:00"))
    assert created.status_code == 201
    data = created.get_json()["Data"]
    assert data["Status"] == "AWAU"
    assert data["Permissions"] == ALL
    assert data["TransactionFromDateTime"] == "2026-01-01T00:00:00+00:00"
    consent_id, service = data["ConsentId"], bearer(service_token(client))
    assert created.get_json()["Links"]["Self"] == \
        f"http://localhost{BASE}/account-access-consents/{consent_id}"
    token = authorize(client, consent_id)
    read = valid(client.get(f"{BASE}/account-access-consents/{consent_id}", headers=service))
    assert read.get_json()["Data"]["Status"] == "AUTH"
    assert valid(client.get(f"{BASE}/accounts", headers=bearer(token))).status_code == 200

    deleted = valid(client.delete(f"{BASE}/account-access-consents/{consent_id}",
                                  headers=service))
    assert deleted.status_code == 204
    after = valid(client.get(f"{BASE}/account-access-consents/{consent_id}", headers=service))
    assert after.get_json()["Data"]["Status"] == "CANC"
    refused = valid(client.get(f"{BASE}/accounts", headers=bearer(token)))
    assert refused.status_code == 401


def test_a_consent_expires_by_the_sandbox_clock(client, valid):
    admin = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
    now = parse_instant(client.get("/sandbox/clock", headers=admin).get_json()["now"])
    until = (now + timedelta(days=1)).isoformat()
    created = create(client, ALL, ExpirationDateTime=until).get_json()["Data"]
    assert created["ExpirationDateTime"] == until
    token = authorize(client, created["ConsentId"])
    moved = client.post("/sandbox/clock", json={"advance": "P2D"}, headers=admin)
    assert moved.status_code == 200, moved.get_json()
    read = valid(client.get(f"{BASE}/account-access-consents/{created['ConsentId']}",
                            headers=bearer(service_token(client))))
    assert read.get_json()["Data"]["Status"] == "EXPD"
    assert read.get_json()["Data"]["StatusUpdateDateTime"] == until
    assert valid(client.get(f"{BASE}/accounts", headers=bearer(token))).status_code == 401


def test_a_declined_consent_is_rejected(client, valid):
    consent_id = create(client).get_json()["Data"]["ConsentId"]
    assert authorize(client, consent_id, decision="deny") is None
    read = valid(client.get(f"{BASE}/account-access-consents/{consent_id}",
                            headers=bearer(service_token(client))))
    assert read.get_json()["Data"]["Status"] == "RJCT"


def test_an_ob_consent_is_a_sandbank_consent(client):
    """The same row: v1's consents endpoint sees it, with the scopes the permissions need."""
    consent_id = create(client, ["ReadAccountsBasic", "ReadBalances"]).get_json()[
        "Data"]["ConsentId"]
    v1 = client.get(f"/banks/harborline/consents/{consent_id}",
                    headers=bearer(service_token(client))).get_json()
    assert v1["scope"].split() == ["accounts", "balances"]
    assert v1["status"] == "awaiting_authorization"


def test_deleting_an_ob_consent_raises_the_sandbank_webhook(app, client):
    subscribed = client.post("/banks/harborline/v1/webhooks", json={
        "url": "https://hooks.example.org/sandbank", "events": ["consent.revoked"]},
        headers=bearer(service_token(client)))
    assert subscribed.status_code == 201, subscribed.get_json()
    consent_id = create(client).get_json()["Data"]["ConsentId"]
    authorize(client, consent_id)
    client.delete(f"{BASE}/account-access-consents/{consent_id}",
                  headers=bearer(service_token(client)))
    with app.app_context():
        queued = db.session.scalars(sa.select(WebhookDelivery.event_type).where(
            WebhookDelivery.consent_id == consent_id)).all()
        db.session.remove()
    assert queued == ["consent.revoked"]


@pytest.mark.parametrize(("case", "body", "code", "path"), [
    ("unsupported permission", consent_body(["ReadStandingOrdersBasic"]), "U002",
     "Data.Permissions"),
    ("no permissions", consent_body([]), "U002", "Data.Permissions"),
    ("no Risk", {"Data": {"Permissions": ["ReadBalances"]}}, "U004", "Risk"),
    ("no Data", {"Risk": {}}, "U004", "Data"),
    ("expiry in the past", consent_body(["ReadBalances"],
                                        ExpirationDateTime="2020-01-01T00:00:00+00:00"),
     "U002", "Data.ExpirationDateTime"),
    ("window backwards", consent_body(["ReadBalances"],
                                      TransactionFromDateTime="2026-02-01T00:00:00Z",
                                      TransactionToDateTime="2026-01-01T00:00:00Z"),
     "U002", "Data.TransactionToDateTime"),
    ("not a date-time", consent_body(["ReadBalances"], ExpirationDateTime="tomorrow"),
     "U002", "Data.ExpirationDateTime"),
])
def test_a_wrong_consent_is_refused_naming_the_field(client, valid, case, body, code, path):
    answer = valid(client.post(f"{BASE}/account-access-consents", json=body,
                               headers=bearer(service_token(client))))
    assert answer.status_code == 400, case
    errors = answer.get_json()["Errors"]
    assert (errors[0]["ErrorCode"], errors[0].get("Path")) == (code, path), errors


def test_consents_need_the_clients_own_token(client, valid, mint):
    body = consent_body(["ReadBalances"])
    missing = valid(client.post(f"{BASE}/account-access-consents", json=body))
    assert missing.status_code == 401
    customer = valid(client.post(f"{BASE}/account-access-consents", json=body,
                                 headers=bearer(mint())))
    assert customer.status_code == 403
    assert customer.get_json()["Errors"][0]["ErrorCode"] == "AG01"


def test_another_clients_consent_is_not_found(client, valid):
    consent_id = create(client).get_json()["Data"]["ConsentId"]
    registered = client.post("/banks/harborline/register", json={
        "client_name": "Other", "grant_types": ["client_credentials"]}).get_json()
    other = client.post("/banks/harborline/token", data={"grant_type": "client_credentials"},
                        auth=(registered["client_id"], registered["client_secret"])).get_json()
    answer = valid(client.get(f"{BASE}/account-access-consents/{consent_id}",
                              headers=bearer(other["access_token"])))
    assert answer.status_code == 400
    assert answer.get_json()["Errors"][0] == {
        "ErrorCode": "U011", "Path": "ConsentId",
        "Message": f"The client has no account-access consent {consent_id!r} here."}


def test_a_body_that_is_not_json_is_refused(client, valid):
    answer = valid(client.post(f"{BASE}/account-access-consents", data="Permissions=all",
                               content_type="application/x-www-form-urlencoded",
                               headers=bearer(service_token(client))))
    assert answer.status_code == 415
