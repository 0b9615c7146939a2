"""Finding 5 of issue 9: an ``Idempotency-Key`` answers only for the consent (and customer)
that first used it, and a replay is authorised like any other request."""
import base64

import requests

from sandbox.testing.admin import SandboxAdmin, http_transport

BANK = "harborline"
KEY = "shared-key-0001"


def client_token(base: str) -> str:
    basic = base64.b64encode(b"demo-app:demo-secret").decode()
    answer = requests.post(f"{base}/banks/{BANK}/token", data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def deposit_accounts(api: str, auth: dict) -> dict:
    listed = requests.get(f"{api}/accounts", headers=auth, timeout=10).json()["data"]
    return {account["type"]: account["id"] for account in listed
            if account["type"] in ("checking", "savings")}


def test_a_key_never_replays_across_customers_or_after_revocation(live_server):
    admin = SandboxAdmin(http_transport(live_server))
    api = f"{live_server}/banks/{BANK}/v1"
    good = admin.token(BANK, "user_good", "accounts balances transactions manage")
    good_ids = deposit_accounts(api, good.headers)
    body = {"from_account_id": good_ids["checking"], "to_account_id": good_ids["savings"],
            "amount": "1.00"}
    first = requests.post(f"{api}/transfers", json=body,
                          headers={**good.headers, "Idempotency-Key": KEY}, timeout=30)
    assert first.status_code == 201, first.text
    transfer = first.json()
    replayed = requests.post(f"{api}/transfers", json=body,
                             headers={**good.headers, "Idempotency-Key": KEY}, timeout=30)
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json()["id"] == transfer["id"]

    other = admin.create_customer(BANK, username="idem_other", accounts=[
        {"type": "checking", "balances": {"current": "50.00"}},
        {"type": "savings", "balances": {"current": "0.00"}}],
        consents=[{"scope": "accounts balances transactions manage"}])
    other_auth = {"Authorization": f"Bearer {other['tokens'][0]['access_token']}",
                  "Idempotency-Key": KEY}
    stolen = requests.post(f"{api}/transfers", json=body, headers=other_auth, timeout=30)
    assert stolen.status_code == 422, stolen.text
    assert stolen.headers["Content-Type"].startswith("application/problem+json")
    assert "Idempotent-Replayed" not in stolen.headers
    assert transfer["id"] not in stolen.text and "running_balance" not in stolen.text
    for leg in transfer["transactions"]:
        assert leg["id"] not in stolen.text

    own_ids = {account["type"]: account["id"] for account in other["accounts"]}
    own = requests.post(f"{api}/transfers", headers=other_auth, timeout=30, json={
        "from_account_id": own_ids["checking"], "to_account_id": own_ids["savings"],
        "amount": "1.00"})
    assert own.status_code == 201, own.text
    assert "Idempotent-Replayed" not in own.headers
    assert own.json()["id"] != transfer["id"]
    assert own.json()["from_account_id"] == own_ids["checking"]
    assert own.json()["transactions"][0]["running_balance"] == "49.00"

    revoke = requests.delete(f"{live_server}/banks/{BANK}/consents/{good.consent_id}",
                             headers={"Authorization": f"Bearer {client_token(live_server)}"},
                             timeout=10)
    assert revoke.status_code in (200, 204), revoke.text
    after = requests.post(f"{api}/transfers", json=body,
                          headers={**good.headers, "Idempotency-Key": KEY}, timeout=30)
    assert after.status_code == 401, after.text
    assert after.headers["Content-Type"].startswith("application/problem+json")
    assert transfer["id"] not in after.text
