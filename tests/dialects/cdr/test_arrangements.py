"""A CDR arrangement is a Sandbank consent: revoking it through ``{iss}/arrangements/revoke``
revokes the consent (its status, its tokens, its ``consent.revoked`` webhook), and only the
client's own active arrangement can be revoked; a new authorization naming it amends it."""
from __future__ import annotations

import sqlalchemy as sa

from tests.dialects.cdr.conftest import BANK, CDR_SCOPES
from tests.oauth.browser import CALLBACK, Pkce, client_browser, query, redeem
from tests.services.webhooks.conftest import Kit, receiver  # noqa: F401  (fixture)

SECRET = ("demo-app", "demo-secret")


def test_revoking_an_arrangement_revokes_the_consent(app, client, receiver):  # noqa: F811
    from sandbox.extensions import db
    from sandbox.models import WebhookDelivery

    kit = Kit(app, client)
    kit.subscribe(receiver.url, ["consent.revoked"])
    consent_id = kit.customer_token(CDR_SCOPES)["consent_id"]

    revoked = client.post(f"/banks/{BANK}/arrangements/revoke", auth=SECRET,
                          data={"cdr_arrangement_id": consent_id})
    consent = client.get(f"/banks/{BANK}/consents/{consent_id}",
                         headers={"Authorization": f"Bearer {kit.client_token()}"}).get_json()
    with app.app_context():
        queued = db.session.scalars(sa.select(WebhookDelivery.event_type).where(
            WebhookDelivery.consent_id == consent_id)).all()
        db.session.remove()

    assert revoked.status_code == 204
    assert consent["status"] == "revoked"
    assert queued == ["consent.revoked"]


def test_only_the_clients_own_active_arrangement_is_revoked(app, client):
    kit = Kit(app, client)
    consent_id = kit.customer_token(CDR_SCOPES)["consent_id"]
    registered = client.post(f"/banks/{BANK}/register", json={
        "client_name": "Other", "grant_types": ["client_credentials"], "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic"}).get_json()
    other = (registered["client_id"], registered["client_secret"])

    def revoke(auth, arrangement_id=consent_id):
        return client.post(f"/banks/{BANK}/arrangements/revoke", auth=auth,
                           data={"cdr_arrangement_id": arrangement_id})

    foreign = revoke(other)
    unknown = revoke(SECRET, "cns_unknown")
    missing = client.post(f"/banks/{BANK}/arrangements/revoke", auth=SECRET)
    public = client.post(f"/banks/{BANK}/arrangements/revoke",
                         data={"client_id": "demo-public", "cdr_arrangement_id": consent_id})

    for refused in (foreign, unknown, missing):
        assert refused.status_code == 422
        assert refused.get_json()["errors"][0]["code"] == (
            "urn:au-cds:error:cds-all:Authorisation/InvalidArrangement")
    assert public.status_code == 401
    assert revoke(SECRET).status_code == 204


def _arrangement(client, browser, scope: str, username: str = "user_good", **extra):
    """The in-process CDR flow: push, sign in and approve, redeem; the token response."""
    pkce = Pkce()
    pushed = client.post(f"/banks/{BANK}/par", auth=SECRET, data={
        "response_type": "code", "redirect_uri": CALLBACK, "state": "s", "scope": scope,
        "code_challenge": pkce.challenge, "code_challenge_method": "S256", **extra})
    assert pushed.status_code == 201, pushed.get_json()
    page = browser.authorize(f"/banks/{BANK}/authorize?client_id=demo-app&request_uri="
                             f"{pushed.get_json()['request_uri']}", username)
    found = query(page.location)
    if "code" not in found:
        return found
    return client.post(f"/banks/{BANK}/token", auth=SECRET,
                       data=redeem(found["code"], pkce)).get_json()


def test_an_arrangement_is_amended_in_place(client):
    browser = client_browser(client)
    first = _arrangement(client, browser, "bank:accounts.basic:read")
    amended = _arrangement(client, browser, "bank:accounts.basic:read bank:transactions:read",
                           cdr_arrangement_id=first["cdr_arrangement_id"])

    def status(token):
        return client.get(f"/banks/{BANK}/cds-au/v1/banking/accounts",
                          headers={"Authorization": f"Bearer {token}", "x-v": "3"}).status_code

    assert amended["cdr_arrangement_id"] == first["cdr_arrangement_id"]
    assert "bank:transactions:read" in amended["scope"].split()
    assert status(first["access_token"]) == 401
    assert status(amended["access_token"]) == 200


def test_an_arrangement_cannot_be_amended_by_another_person_or_once_revoked(client):
    browser = client_browser(client)
    first = _arrangement(client, browser, "bank:accounts.basic:read")
    arrangement_id = first["cdr_arrangement_id"]

    stranger = client_browser(client)
    pkce = Pkce()
    pushed = client.post(f"/banks/{BANK}/par", auth=SECRET, data={
        "response_type": "code", "redirect_uri": CALLBACK, "scope": "bank:accounts.basic:read",
        "code_challenge": pkce.challenge, "code_challenge_method": "S256",
        "cdr_arrangement_id": arrangement_id}).get_json()
    page = stranger.authorize(f"/banks/{BANK}/authorize?client_id=demo-app&request_uri="
                              f"{pushed['request_uri']}", "user_overdrawn")
    client.post(f"/banks/{BANK}/arrangements/revoke", auth=SECRET,
                data={"cdr_arrangement_id": arrangement_id})
    revoked = client.post(f"/banks/{BANK}/par", auth=SECRET, data={
        "response_type": "code", "redirect_uri": CALLBACK, "scope": "bank:accounts.basic:read",
        "code_challenge": pkce.challenge, "code_challenge_method": "S256",
        "cdr_arrangement_id": arrangement_id})

    assert page.status == 403 and "another person" in page.text
    assert revoked.status_code == 400
    assert revoked.get_json()["error"] == "invalid_request"


def test_a_refreshed_token_names_the_same_arrangement(client):
    first = _arrangement(client, client_browser(client),
                         "offline_access bank:accounts.basic:read")
    refreshed = client.post(f"/banks/{BANK}/token", auth=SECRET, data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).get_json()

    assert refreshed["cdr_arrangement_id"] == first["cdr_arrangement_id"]
    assert refreshed["access_token"] != first["access_token"]
