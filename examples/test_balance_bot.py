"""A user's suite: the balance bot tested against Sandbank with the pytest plugin."""
from balance_bot import balance_reply, parcel_reply


def test_balance_of_a_persona(sandbox_server, sandbox_token):
    token = sandbox_token("harborline", "user_good", "accounts balances")

    reply = balance_reply(sandbox_server.issuer("harborline"), token.access_token)

    assert "Harbor Everyday Checking" in reply
    assert "$" in reply


def test_overdrawn_customer(sandbox_server, sandbox_scenario):
    loaded = sandbox_scenario("overdrawn_returned_payment")
    token = loaded["customers"][0]["tokens"][0]["access_token"]

    reply = balance_reply(sandbox_server.issuer("harborline"), token)

    assert reply.endswith(": -$70.00")


def test_bank_outage(sandbox_server, sandbox_admin, sandbox_token):
    token = sandbox_token("harborline", "user_good", "accounts balances")
    sandbox_admin.set_faults(rules=[{"bank_id": "harborline",
                                     "fault": "status=503;retry_after=120"}])

    reply = balance_reply(sandbox_server.issuer("harborline"), token.access_token)

    assert reply == "Your bank is not answering right now. I'll try again in 120 s."


def test_parcel_arrives_as_time_passes(sandbox_server, sandbox_admin, sandbox_scenario):
    sandbox_scenario("delayed_parcel")
    issuer = sandbox_server.issuer("copperleaf")
    before = sandbox_admin.token("copperleaf", "qa_shopper", "shipments")

    delayed = parcel_reply(issuer, before.access_token)
    sandbox_admin.advance("P3D")
    after = sandbox_admin.token("copperleaf", "qa_shopper", "shipments")

    assert delayed == "Your Bluejay Parcel parcel is delayed."
    assert parcel_reply(issuer, after.access_token).startswith(
        "Your Bluejay Parcel parcel was delivered on")


def test_a_custom_customer(sandbox_server, sandbox_admin):
    customer = sandbox_admin.create_customer("juniper", username="qa_maria", accounts=[
        {"type": "savings", "balances": {"current": "12500.00"}}])
    token = sandbox_admin.token("juniper", "qa_maria", "accounts balances")

    reply = balance_reply(sandbox_server.issuer("juniper"), token.access_token)

    assert customer["password"] == "pass_good"
    assert reply.endswith(": $12,500.00")


def test_each_test_starts_from_a_fresh_world(sandbox_admin):
    assert sandbox_admin.faults() == {"rules": [], "maintenance": []}
    assert sandbox_admin.clock() == {"now": "2026-03-01T12:00:00Z", "frozen": True}


def test_in_process_app(sandbox_app):
    banks = sandbox_app.test_client().get("/banks").get_json()["banks"]

    assert len(banks) >= 4
