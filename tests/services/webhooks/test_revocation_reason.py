"""``consent.revoked`` says who revoked: the customer (connected apps), the client, or the
operator (control plane), also when the worker's sweep announces it later."""
from __future__ import annotations

from sandbox import clock, unit_of_work
from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.models import Consent
from sandbox.services import connections
from tests.services.webhooks.conftest import BANK

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}


def test_the_customer_removing_access_is_the_reason(kit, receiver):
    kit.subscribe(receiver.url, ["consent.revoked"])
    token = kit.customer_token("accounts")
    with kit.app.app_context(), unit_of_work.transaction() as session:
        consent = session.get(Consent, token["consent_id"])
        connections.remove_access(session, BANK, consent.customer_id, consent.id,
                                  now=clock.now())
    kit.deliver()
    [event] = receiver.events()
    assert (event["data"]["consent_id"], event["data"]["reason"]) == \
        (token["consent_id"], "customer")


def test_the_operator_revoking_is_the_reason(kit, receiver):
    kit.subscribe(receiver.url, ["consent.revoked"])
    token = kit.customer_token("accounts")
    answer = kit.client.post(f"/sandbox/banks/{BANK}/consents/{token['consent_id']}/revoke",
                             headers=ADMIN)
    assert answer.status_code == 200 and answer.json["revoked_by"] == "operator"
    kit.deliver()
    [event] = receiver.events()
    assert event["data"]["reason"] == "operator"


def test_the_sweep_announces_the_stored_reason(kit, receiver):
    kit.subscribe(receiver.url, ["consent.revoked"])
    token = kit.customer_token("accounts")
    with kit.app.app_context(), unit_of_work.transaction() as session:
        consent = session.get(Consent, token["consent_id"])
        consent.status, consent.revoked_at, consent.revoked_by = \
            "revoked", clock.now(), "customer"
    kit.deliver()
    kit.deliver()
    [event] = receiver.events()
    assert (event["type"], event["data"]["reason"]) == ("consent.revoked", "customer")
