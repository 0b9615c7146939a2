"""Subscriptions: ``POST|GET {iss}/v1/webhooks`` and ``DELETE {iss}/v1/webhooks/{id}``."""
import pytest

BANK = "harborline"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_secret_is_shown_only_when_created(kit, client):
    created = kit.subscribe("https://bot.example/hooks", ["transaction.created"])
    assert created["id"].startswith("whk_")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    listed = client.get(f"/banks/{BANK}/v1/webhooks", headers=bearer(kit.client_token()))
    assert listed.status_code == 200
    assert listed.json["data"] == [{
        "id": created["id"], "url": "https://bot.example/hooks",
        "events": ["transaction.created"], "created_at": created["created_at"]}]


@pytest.mark.parametrize(("url", "status"), [
    ("https://bot.example/hooks", 201),
    ("http://127.0.0.1:9999/hooks", 201),
    ("http://localhost/hooks", 201),
    ("http://[::1]:8080/hooks", 201),
    ("http://bot.example/hooks", 422),
    ("http://10.0.0.8/hooks", 422),
    ("ftp://bot.example/hooks", 422),
    ("https://user:pw@bot.example/hooks", 422),
    ("not a url", 422),
])
def test_https_or_loopback_http_only(kit, client, url, status):
    answer = client.post(f"/banks/{BANK}/v1/webhooks",
                         json={"url": url, "events": ["card.locked"]},
                         headers=bearer(kit.client_token()))
    assert answer.status_code == status, answer.json
    if status == 422:
        assert answer.mimetype == "application/problem+json"
        assert [error["path"] for error in answer.json["errors"]] == ["url"]


@pytest.mark.parametrize(("events", "path"), [
    ([], "events"),
    (["card.stolen"], "events[0]"),
])
def test_event_types_are_checked(kit, client, events, path):
    answer = client.post(f"/banks/{BANK}/v1/webhooks",
                         json={"url": "https://bot.example/hooks", "events": events},
                         headers=bearer(kit.client_token()))
    assert answer.status_code == 422
    assert answer.json["errors"][0]["path"] == path


def test_needs_a_client_credentials_token(kit, client):
    anonymous = client.get(f"/banks/{BANK}/v1/webhooks")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    customer = kit.customer_token("accounts manage")
    refused = client.get(f"/banks/{BANK}/v1/webhooks", headers=bearer(customer["access_token"]))
    assert refused.status_code == 403
    assert "client-credentials" in refused.json["detail"]
    elsewhere = client.get("/banks/juniper/v1/webhooks", headers=bearer(kit.client_token()))
    assert elsewhere.status_code == 401


def test_delete_removes_the_subscription(kit, client):
    created = kit.subscribe("https://bot.example/hooks", ["card.locked"])
    headers = bearer(kit.client_token())
    url = f"/banks/{BANK}/v1/webhooks/{created['id']}"
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(f"/banks/{BANK}/v1/webhooks", headers=headers).json["data"] == []
    again = client.delete(url, headers=headers)
    assert again.status_code == 404
    assert again.mimetype == "application/problem+json"


def test_clients_see_only_their_own_subscriptions(kit, client):
    registered = client.post(f"/banks/{BANK}/register", json={
        "client_name": "Other bot", "redirect_uris": ["https://other.example/cb"],
        "grant_types": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "accounts transactions"})
    assert registered.status_code == 201, registered.get_data(as_text=True)
    other = kit.client_token(BANK, registered.json["client_id"],
                         registered.json["client_secret"])
    mine = kit.subscribe("https://bot.example/hooks", ["card.locked"])
    assert client.get(f"/banks/{BANK}/v1/webhooks", headers=bearer(other)).json["data"] == []
    stolen = client.delete(f"/banks/{BANK}/v1/webhooks/{mine['id']}", headers=bearer(other))
    assert stolen.status_code == 404


def test_idempotent_subscribe(kit, client):
    headers = {**bearer(kit.client_token()), "Idempotency-Key": "subscribe-once"}
    body = {"url": "https://bot.example/hooks", "events": ["card.locked"]}
    first = client.post(f"/banks/{BANK}/v1/webhooks", json=body, headers=headers)
    second = client.post(f"/banks/{BANK}/v1/webhooks", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    listed = client.get(f"/banks/{BANK}/v1/webhooks", headers=headers)
    assert len(listed.json["data"]) == 1
