"""Webhook delivery to a real receiver on loopback: signatures, retries, entitlement, the log."""
import hashlib
import hmac
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

BANK = "harborline"
ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The documented (docs/webhooks.md) verification of a ``Sandbank-Signature`` header."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp, received = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)


def card_account(kit, token: dict) -> str:
    """The id of the token's checking account (it has a debit card)."""
    from sandbox.extensions import db
    from sandbox.models import Account, Consent

    with kit.app.app_context():
        consent = db.session.get(Consent, token["consent_id"])
        return db.session.scalar(sa.select(Account.id).where(
            Account.id.in_(consent.account_ids), Account.type == "checking",
            Account.status == "open").order_by(Account.position).limit(1))


def lock(kit, token: dict, account_id: str, action: str = "lock"):
    answer = kit.client.post(f"/banks/{BANK}/v1/accounts/{account_id}/card/{action}",
                             headers=bearer(token["access_token"]))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def test_events_arrive_signed(kit, receiver):
    hook = kit.subscribe(receiver.url, ["card.locked", "card.unlocked"])
    token = kit.customer_token("accounts manage")
    account = card_account(kit, token)
    lock(kit, token, account)
    lock(kit, token, account, "unlock")
    assert kit.deliver() == 2
    first, second = receiver.wait_for(2)
    for request, kind in ((first, "card.locked"), (second, "card.unlocked")):
        headers, body = request["headers"], request["body"]
        assert verify(hook["secret"], headers["Sandbank-Signature"], body)
        assert not verify(hook["secret"], headers["Sandbank-Signature"], body + b" ")
        assert not verify("whsec_wrong", headers["Sandbank-Signature"], body)
        assert headers["Content-Type"] == "application/json"
        assert headers["Sandbank-Event-Type"] == kind
    events = receiver.events()
    assert [event["type"] for event in events] == ["card.locked", "card.unlocked"]
    assert events[0]["id"] == first["headers"]["Sandbank-Event-Id"]
    assert events[0]["consent_id"] == token["consent_id"]
    assert events[0]["data"] == {"account_id": account, "card": {"status": "locked"}}
    assert kit.deliver() == 0


def test_retries_with_backoff_after_500(kit, receiver):
    hook = kit.subscribe(receiver.url, ["card.locked"])
    token = kit.customer_token("accounts manage")
    lock(kit, token, card_account(kit, token))
    receiver.statuses = [500, 503]
    assert kit.deliver() == 1
    assert kit.deliver() == 0, "a retry must wait for its backoff"
    kit.advance(seconds=75)
    assert kit.deliver() == 1
    kit.advance(minutes=5)
    assert kit.deliver() == 1
    requests = receiver.wait_for(3)
    assert len({request["headers"]["Sandbank-Event-Id"] for request in requests}) == 1
    assert [request["headers"]["Sandbank-Delivery-Attempt"] for request in requests] == \
        ["1", "2", "3"]
    [logged] = kit.deliveries(subscription_id=hook["id"], status="delivered")
    assert [attempt["status_code"] for attempt in logged["attempts"]] == [500, 503, 200]
    assert logged["attempts"][0]["error"].startswith("HTTP 500")
    assert all(attempt["duration_ms"] >= 0 for attempt in logged["attempts"])


def test_gives_up_after_about_a_day(kit, receiver):
    from sandbox.services.webhooks.deliveries import MAX_ATTEMPTS

    hook = kit.subscribe(receiver.url, ["card.locked"])
    token = kit.customer_token("accounts manage")
    lock(kit, token, card_account(kit, token))
    receiver.statuses = [500] * (MAX_ATTEMPTS + 1)
    start = kit.now()
    for _ in range(MAX_ATTEMPTS):
        assert kit.deliver() == 1
        [pending_or_failed] = kit.deliveries(subscription_id=hook["id"])
        if pending_or_failed["status"] == "pending":
            due = pending_or_failed["next_attempt_at"]
            kit.advance(seconds=(_instant(due) - kit.now()).total_seconds() + 1)
    [failed] = kit.deliveries(subscription_id=hook["id"])
    assert failed["status"] == "failed"
    assert len(failed["attempts"]) == MAX_ATTEMPTS
    assert timedelta(hours=16) < kit.now() - start < timedelta(hours=30)
    kit.advance(days=2)
    assert kit.deliver() == 0
    assert len(receiver.requests) == MAX_ATTEMPTS


def _instant(text: str):
    from sandbox.clock import parse_instant

    return parse_instant(text)


def test_unreachable_receiver_is_logged(kit):
    hook = kit.subscribe("http://127.0.0.1:9/nobody-listens", ["card.locked"])
    token = kit.customer_token("accounts manage")
    lock(kit, token, card_account(kit, token))
    assert kit.deliver() == 1
    [pending] = kit.deliveries(subscription_id=hook["id"])
    assert pending["status"] == "pending"
    assert pending["attempts"][0]["status_code"] is None
    assert "Connection" in pending["attempts"][0]["error"]


@pytest.mark.parametrize(("scope", "gets_balance"), [
    ("manage balances", True),
    ("manage", False),
])
def test_events_carry_only_what_the_scopes_allow(kit, receiver, scope, gets_balance):
    kit.subscribe(receiver.url, ["balance.low", "card.locked"])
    token = kit.customer_token(scope)
    account = card_account(kit, token)
    answer = kit.client.put(f"/banks/{BANK}/v1/accounts/{account}/alerts",
                            json={"low_balance_threshold": "99999999.00"},
                            headers=bearer(token["access_token"]))
    assert answer.status_code == 200
    lock(kit, token, account)
    kit.deliver()
    events = {event["type"]: event for event in receiver.events()}
    assert set(events) == ({"balance.low", "card.locked"} if gets_balance else {"card.locked"})
    if gets_balance:
        low = events["balance.low"]["data"]
        assert low["account_id"] == account
        assert low["low_balance_threshold"] == "99999999.00"
        assert {"current", "available", "currency"} <= set(low["balances"])


def test_events_go_only_to_consents_covering_the_account(kit, receiver):
    everything = kit.customer_token("accounts manage")
    account = card_account(kit, everything)
    with kit.app.app_context():
        from sandbox.extensions import db
        from sandbox.models import Consent

        others = [a for a in db.session.get(Consent, everything["consent_id"]).account_ids
                  if a != account]
    narrow = kit.customer_token("accounts manage", account_ids=others)
    kit.subscribe(receiver.url, ["card.locked"])
    lock(kit, everything, account)
    kit.deliver()
    assert [event["consent_id"] for event in receiver.events()] == [everything["consent_id"]]
    assert narrow["consent_id"] != everything["consent_id"]


def test_consent_expiry_is_announced_once(kit, receiver):
    token = kit.customer_token("accounts", expires_at=kit.now() + timedelta(hours=1))
    kit.subscribe(receiver.url, ["consent.expired"])
    kit.deliver()
    assert receiver.requests == []
    kit.advance(hours=2)
    kit.deliver()
    kit.deliver()
    [event] = receiver.events()
    assert event["type"] == "consent.expired"
    assert event["data"]["consent_id"] == token["consent_id"]
    assert event["data"]["status"] == "expired"


def test_redeliver_sends_the_same_event_again(kit, receiver):
    hook = kit.subscribe(receiver.url, ["card.locked"])
    token = kit.customer_token("accounts manage")
    lock(kit, token, card_account(kit, token))
    kit.deliver()
    [delivered] = kit.deliveries(subscription_id=hook["id"], status="delivered")
    again = kit.client.post(f"/sandbox/webhooks/deliveries/{delivered['id']}/redeliver",
                            headers=ADMIN)
    assert again.status_code == 202
    assert again.json["status"] == "pending"
    assert kit.deliver() == 1
    first, second = receiver.wait_for(2)
    assert first["body"] == second["body"]
    assert first["headers"]["Sandbank-Event-Id"] == second["headers"]["Sandbank-Event-Id"]
    log = kit.client.get(f"/sandbox/webhooks/deliveries/{delivered['id']}", headers=ADMIN).json
    assert [attempt["number"] for attempt in log["attempts"]] == [1, 2]
    assert kit.client.post("/sandbox/webhooks/deliveries/dlv_nope/redeliver",
                           headers=ADMIN).status_code == 404


def test_control_plane_needs_the_admin_key(client):
    assert client.get("/sandbox/webhooks/deliveries").status_code == 401
    assert client.post("/sandbox/webhooks/fire", json={}).status_code == 401


def test_fire_raises_an_event_on_demand(kit, receiver):
    token = kit.customer_token("accounts manage")
    kit.subscribe(receiver.url, ["card.unlocked"])
    fired = kit.client.post("/sandbox/webhooks/fire", headers=ADMIN, json={
        "type": "card.unlocked", "bank_id": BANK, "client_id": "demo-app",
        "username": "user_good", "account_id": card_account(kit, token)})
    assert fired.status_code == 202, fired.json
    kit.deliver()
    [event] = receiver.events()
    assert event["id"] == fired.json["event_ids"][0]
    assert event["type"] == "card.unlocked"


def test_fire_picks_the_entitled_consent_among_several_of_the_same_age(kit, receiver):
    kit.customer_token("accounts manage")
    entitled = kit.customer_token("accounts transactions")
    kit.customer_token("accounts")
    kit.subscribe(receiver.url, ["transaction.created"])
    fired = kit.client.post("/sandbox/webhooks/fire", headers=ADMIN, json={
        "type": "transaction.created", "bank_id": BANK, "client_id": "demo-app",
        "username": "user_good"})
    assert fired.status_code == 202, fired.json
    kit.deliver()
    [event] = receiver.events()
    assert event["consent_id"] == entitled["consent_id"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"type": "balance.low"}, 409, "type"),
    ({"type": "card.unlocked", "username": "nobody"}, 404, "username"),
    ({"type": "card.unlocked", "account_id": "acct_not_mine"}, 409, "account_id"),
])
def test_fire_explains_refusals(kit, body, status, field):
    kit.customer_token("accounts manage")
    kit.subscribe("https://bot.example/hooks", ["card.unlocked"])
    answer = kit.client.post("/sandbox/webhooks/fire", headers=ADMIN, json={
        "bank_id": BANK, "client_id": "demo-app", "username": "user_good", **body})
    assert answer.status_code == status
    assert answer.json["errors"][0]["path"] == field


def test_parcels_moving_on_the_clock_are_announced_once(kit, receiver):
    kit.customer_token("shipments")
    hook = kit.subscribe(receiver.url, ["shipment.updated"])
    kit.deliver()
    assert receiver.requests == [], "parcels delivered before subscribing stay quiet"
    moved = kit.client.post("/sandbox/clock", json={"advance": "P10D"}, headers=ADMIN)
    assert moved.status_code == 200, moved.json
    kit.deliver()
    events = receiver.events()
    assert events, "ten days of user_good's online orders move some parcels"
    reader = kit.customer_token("shipments")
    for event in events:
        shipment = event["data"]["shipment"]
        seen = kit.client.get(f"/banks/{BANK}/v1/shipments/{shipment['id']}",
                              headers=bearer(reader["access_token"]))
        assert seen.status_code == 200
        assert (seen.json["status"], seen.json["events"]) == \
            (shipment["status"], shipment["events"])
    assert len({event["data"]["shipment_id"] for event in events}) == len(events)
    kit.deliver()
    assert len(kit.deliveries(subscription_id=hook["id"])) == len(events)


def test_revoked_consent_is_announced_once(kit, receiver):
    token = kit.customer_token("accounts")
    kit.subscribe(receiver.url, ["consent.revoked"])
    revoked = kit.client.delete(f"/banks/{BANK}/consents/{token['consent_id']}",
                                headers=bearer(kit.client_token()))
    assert revoked.status_code == 204
    kit.deliver()
    kit.deliver()
    [event] = receiver.events()
    assert event["type"] == "consent.revoked"
    assert event["data"]["consent_id"] == token["consent_id"]
    assert event["data"]["status"] == "revoked"
    assert event["data"]["reason"] == "client"


def test_low_balance_alert_fires_once_until_it_rearms(kit, receiver):
    kit.subscribe(receiver.url, ["balance.low"])
    token = kit.customer_token("accounts balances manage")
    account = card_account(kit, token)
    url = f"/banks/{BANK}/v1/accounts/{account}/alerts"
    for threshold in ("99999999.00", "99999998.00", "0.00", "99999999.00"):
        answer = kit.client.put(url, json={"low_balance_threshold": threshold},
                                headers=bearer(token["access_token"]))
        assert answer.status_code == 200
    kit.deliver()
    assert [event["data"]["low_balance_threshold"] for event in receiver.events()] == \
        ["99999999.00", "99999999.00"]


def test_bulk_hooks_raise_events_for_entitled_consents(kit, receiver):
    from sandbox.extensions import db
    from sandbox.models import Account, Transaction
    from sandbox.services import webhooks

    kit.subscribe(receiver.url, ["transaction.posted", "balance.low"])
    token = kit.customer_token("accounts balances transactions")
    account = card_account(kit, token)
    with kit.app.app_context():
        posted = db.session.scalars(
            sa.select(Transaction.id).where(Transaction.account_id == account,
                                            Transaction.status == "posted")
            .order_by(Transaction.posted_at.desc()).limit(2)).all()
        db.session.get(Account, account).low_balance_threshold = Decimal("99999999.00")
        now = kit.now()
        assert len(webhooks.notify_transactions(db.session, "transaction.posted", posted,
                                                now=now)) == 2
        assert len(webhooks.refresh_low_balances(db.session, [account], now=now)) == 1
        assert webhooks.refresh_low_balances(db.session, [account], now=now) == []
        db.session.commit()
    kit.deliver()
    events = receiver.events()
    assert sorted(event["data"].get("transaction_id", "") for event in events) == \
        sorted(["", *posted])
    transaction = next(e for e in events if e["type"] == "transaction.posted")["data"]
    assert transaction["transaction"]["status"] == "posted"
