"""What a client integrating with a bank sees: discovery, keys, ID tokens, userinfo, the pages'
contract, each bank's own settings, registration, consents and key rotation."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from tests.oauth.browser import BANK, DEMO_SECRET, ISSUER_PATH, Pkce, authorize_url, query, redeem
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox import clock, create_app
from sandbox.cli import main
from sandbox.extensions import db
from sandbox.models import Consent

FROZEN = datetime.fromisoformat("2026-03-01T12:00:00+00:00")


def issuer(bank: str = BANK) -> str:
    return f"http://localhost/banks/{bank}"


def verified_id_token(client, id_token: str, bank: str = BANK, **params) -> CodeIDToken:
    keys = KeySet.import_key_set(client.get(f"/banks/{bank}/jwks.json").get_json())
    decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
    claims = CodeIDToken(decoded.claims, decoded.header,
                         options={"iss": {"essential": True, "value": issuer(bank)},
                                  "aud": {"essential": True, "value": "demo-app"}},
                         params={"client_id": "demo-app", **params})
    claims.validate()  # the wall clock: ID token instants are protocol time
    return claims


def test_discovery_document_is_valid_and_complete(client):
    document = client.get(f"{ISSUER_PATH}/.well-known/openid-configuration").get_json()
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == issuer()
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["grant_types_supported"]) == {
        "authorization_code", "refresh_token", "client_credentials"}
    for endpoint in ("authorize", "token", "userinfo", "jwks.json", "register", "revoke",
                     "introspect", "par"):
        assert f"{issuer()}/{endpoint}" in document.values()


def test_id_token_is_signed_and_carries_nonce_at_hash_and_stable_sub(client, flow):
    first, _, _ = flow(nonce="n-first")
    second, _, _ = flow(nonce="n-second")
    claims = verified_id_token(client, first["id_token"], nonce="n-first",
                               access_token=first["access_token"])
    again = verified_id_token(client, second["id_token"], nonce="n-second",
                              access_token=second["access_token"])
    assert claims.header["alg"] == "RS256"
    assert claims["sub"] == again["sub"]
    assert claims["exp"] - claims["iat"] == 3600
    # The sandbox clock is frozen at FROZEN; the instants are wall-clock (protocol time).
    assert abs(claims["iat"] - time.time()) < 60
    assert claims["iat"] - 60 <= claims["auth_time"] <= claims["iat"]


@pytest.mark.parametrize(("scope", "expected", "absent"), [
    ("openid accounts", {"sub"}, {"name", "email"}),
    ("openid profile accounts", {"sub", "name", "preferred_username"}, {"email", "address"}),
    ("openid identity accounts", {"sub", "email", "phone_number", "address"}, {"name"}),
])
def test_userinfo_answers_by_scope(client, flow, scope, expected, absent):
    tokens, _, _ = flow(scope=scope)
    claims = client.get(f"{ISSUER_PATH}/userinfo",
                        headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert expected <= set(claims)
    assert not absent & set(claims)


def test_userinfo_needs_openid(client, flow):
    tokens, _, _ = flow(scope="accounts")
    answer = client.get(f"{ISSUER_PATH}/userinfo",
                        headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "insufficient_scope"


def test_refresh_token_only_with_offline_access(flow):
    tokens, _, _ = flow(scope="openid accounts")
    assert "refresh_token" not in tokens
    assert "id_token" in tokens


def test_consent_page_follows_the_form_contract(browser):
    page = browser.open(authorize_url(pkce=Pkce(), scope="openid accounts transactions"))
    assert {"username", "password", "csrf_token"} <= page.form.names
    assert "user_mfa" in page.text and "pass_good" in page.text and "123456" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    consent = browser.submit(page, {"username": "user_good", "password": "pass_good"})
    form = consent.form
    assert {("decision", "approve"), ("decision", "deny")} <= set(form.buttons)
    assert form.checkboxes and all(name == "account_ids" and checked
                                   for name, _, checked in form.checkboxes)
    assert "Demo App" in consent.text
    assert "See the transactions of those accounts" in consent.text
    assert "March 1, 2027 (365 days)" in consent.text


def test_consent_covers_only_the_selected_accounts(client, browser):
    pkce = Pkce()
    page = browser.submit(browser.open(authorize_url(pkce=pkce, scope="accounts")),
                          {"username": "user_good", "password": "pass_good"})
    first = page.form.checkboxes[0][1]
    answer = browser.submit(page, button=("decision", "approve"), accounts=[first])
    tokens = client.post(f"{ISSUER_PATH}/token", data=redeem(query(answer.location)["code"],
                                                             pkce), auth=DEMO_SECRET).get_json()
    consent_id = client.post(f"{ISSUER_PATH}/introspect", data={"token": tokens["access_token"]},
                             auth=DEMO_SECRET).get_json()["consent_id"]
    consent = client.get(f"{ISSUER_PATH}/consents/{consent_id}",
                         headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert consent["account_ids"] == [first]
    assert consent["status"] == "authorized"


def test_no_account_selected_is_asked_again(browser):
    page = browser.submit(browser.open(authorize_url(pkce=Pkce(), scope="accounts")),
                          {"username": "user_good", "password": "pass_good"})
    answer = browser.submit(page, button=("decision", "approve"), accounts=[])
    assert answer.status == 400
    assert "at least one account" in answer.text


@pytest.mark.parametrize(("bank", "username", "asks_code", "lifetime"), [
    ("harborline", "user_good", False, 3600),
    ("harborline", "user_mfa", True, 3600),
    ("juniper", "user_good", True, 300),
    ("copperleaf", "user_good", False, 1800),
])
def test_each_bank_applies_its_mfa_policy_and_token_lifetime(client, browser, bank, username,
                                                              asks_code, lifetime):
    pkce = Pkce()
    page = browser.submit(browser.open(authorize_url(pkce=pkce, bank=bank)),
                          {"username": username, "password": "pass_good"})
    assert ("otp" in page.form.names) == asks_code
    answer = browser.authorize(authorize_url(pkce=pkce, bank=bank), username)
    tokens = client.post(f"/banks/{bank}/token", data=redeem(query(answer.location)["code"],
                                                             pkce), auth=DEMO_SECRET).get_json()
    assert tokens["expires_in"] == lifetime


def test_post_authorization_request_continues_as_get(client):
    answer = client.post(f"{ISSUER_PATH}/authorize",
                         data={"response_type": "code", "client_id": "demo-app"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/authorize?response_type=code&client_id=demo-app")


def client_token(client, bank: str = BANK) -> dict:
    answer = client.post(f"/banks/{bank}/token", data={"grant_type": "client_credentials"},
                         auth=DEMO_SECRET)
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_consent_created_first_is_authorized_at_authorize(client, browser):
    bearer = client_token(client)
    created = client.post(f"{ISSUER_PATH}/consents", headers=bearer, json={
        "scope": "accounts balances", "purpose": "Budgeting in Demo App",
        "expires_at": "2030-01-01T00:00:00Z", "transaction_from": "2026-01-01"})
    assert created.status_code == 201
    consent = created.get_json()
    assert consent["status"] == "awaiting_authorization"
    assert consent["expires_at"] == "2027-03-01T12:00:00Z"
    assert created.headers["Location"].endswith(f"/consents/{consent['consent_id']}")
    page = browser.submit(browser.open(authorize_url(pkce=Pkce(), scope="openid",
                                                     consent_id=consent["consent_id"])),
                          {"username": "user_good", "password": "pass_good"})
    assert "Budgeting in Demo App" in page.text
    assert "See the balances of those accounts" in page.text
    assert query(browser.submit(page, button=("decision", "approve")).location)["code"]
    after = client.get(f"{ISSUER_PATH}/consents/{consent['consent_id']}", headers=bearer)
    assert after.get_json()["status"] == "authorized"
    assert after.get_json()["scope"].split() == ["openid", "accounts", "balances"]


def test_a_purpose_stated_in_the_authorization_request_is_shown_and_kept(app, browser):
    purpose = "Show your balance in Sandbank Chat when you ask"
    page = browser.submit(browser.open(authorize_url(pkce=Pkce(), scope="openid accounts balances",
                                                     purpose=purpose)),
                          {"username": "user_good", "password": "pass_good"})
    assert purpose in page.text
    assert query(browser.submit(page, button=("decision", "approve")).location)["code"]
    with app.app_context():
        kept = db.session.scalars(sa.select(Consent.status).where(Consent.purpose == purpose))
        assert list(kept) == ["authorized"]


def test_a_purpose_longer_than_500_characters_is_refused(client, browser):
    page = browser.open(authorize_url(pkce=Pkce(), purpose="x" * 501))
    assert page.status == 400
    assert "purpose" in page.text


def test_consent_created_first_and_denied_is_rejected(client, browser):
    bearer = client_token(client)
    consent = client.post(f"{ISSUER_PATH}/consents", headers=bearer,
                          json={"scope": "accounts"}).get_json()
    url = authorize_url(pkce=Pkce(), scope="accounts", consent_id=consent["consent_id"])
    assert query(browser.authorize(url, decision="deny").location)["error"] == "access_denied"
    after = client.get(f"{ISSUER_PATH}/consents/{consent['consent_id']}", headers=bearer)
    assert after.get_json()["status"] == "rejected"


@pytest.mark.parametrize(("case", "headers", "body", "status"), [
    ("no token", {}, {"scope": "accounts"}, 401),
    ("unknown token", {"Authorization": "Bearer nope"}, {"scope": "accounts"}, 401),
    ("unknown scope", None, {"scope": "accounts everything"}, 422),
    ("no scope", None, {"purpose": "none"}, 422),
    ("expiry in the past", None, {"scope": "accounts", "expires_at": "2020-01-01T00:00:00Z"},
     422),
])
def test_consent_creation_is_refused(client, case, headers, body, status):
    answer = client.post(f"{ISSUER_PATH}/consents", json=body,
                         headers=client_token(client) if headers is None else headers)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"


def test_consent_needs_a_client_credentials_token(client, flow):
    tokens, _, _ = flow()
    answer = client.post(f"{ISSUER_PATH}/consents", json={"scope": "accounts"},
                         headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert answer.status_code == 403


def test_consent_of_another_client_is_not_found(client):
    consent = client.post(f"{ISSUER_PATH}/consents", headers=client_token(client),
                          json={"scope": "accounts"}).get_json()
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "client_name": "Other", "grant_types": ["client_credentials"]}).get_json()
    other = client.post(f"{ISSUER_PATH}/token", data={"grant_type": "client_credentials"},
                        auth=(registered["client_id"], registered["client_secret"])).get_json()
    answer = client.get(f"{ISSUER_PATH}/consents/{consent['consent_id']}",
                        headers={"Authorization": f"Bearer {other['access_token']}"})
    assert answer.status_code == 404


def test_registered_public_client_completes_a_flow(client, browser):
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "client_name": "Pocket Budget", "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code"], "redirect_uris": ["http://localhost/cb"],
        "scope": "openid accounts"})
    assert registered.status_code == 201
    metadata = registered.get_json()
    assert "client_secret" not in metadata
    pkce = Pkce()
    url = authorize_url(metadata["client_id"], redirect_uri="http://localhost:5173/cb",
                        scope="openid accounts", pkce=pkce)
    page = browser.submit(browser.open(url), {"username": "user_good", "password": "pass_good"})
    assert "Pocket Budget" in page.text
    code = query(browser.submit(page, button=("decision", "approve")).location)["code"]
    tokens = client.post(f"{ISSUER_PATH}/token", data=redeem(
        code, pkce, metadata["client_id"], "http://localhost:5173/cb"))
    assert tokens.status_code == 200
    assert "refresh_token" not in tokens.get_json()


def test_introspection_of_another_clients_token_is_inactive(client, flow):
    tokens, _, _ = flow()
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "grant_types": ["client_credentials"]}).get_json()
    answer = client.post(f"{ISSUER_PATH}/introspect", data={"token": tokens["access_token"]},
                         auth=(registered["client_id"], registered["client_secret"]))
    assert answer.get_json() == {"active": False}


def test_expired_access_token_is_inactive(client, flow, clock_shift):
    tokens, _, _ = flow()
    clock_shift(3600)
    answer = client.post(f"{ISSUER_PATH}/introspect", data={"token": tokens["access_token"]},
                         auth=DEMO_SECRET)
    assert answer.get_json() == {"active": False}
    refreshed = client.post(f"{ISSUER_PATH}/token", auth=DEMO_SECRET, data={
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200


def test_key_rotation_keeps_the_old_key_until_its_tokens_expire(app, client, flow, runner,
                                                                clock_shift, monkeypatch):
    before, _, _ = flow()
    old_kid = verified_id_token(client, before["id_token"],
                                access_token=before["access_token"]).header["kid"]
    result = runner.invoke(main, ["keys", "rotate", "--bank", BANK,
                                  "--database", app.config["SQLALCHEMY_DATABASE_URI"]])
    assert result.exit_code == 0, result.output
    after, _, _ = flow()
    new_kid = verified_id_token(client, after["id_token"],
                                access_token=after["access_token"]).header["kid"]
    assert new_kid != old_kid
    published = {key["kid"] for key in client.get(f"{ISSUER_PATH}/jwks.json").get_json()["keys"]}
    assert published == {old_kid, new_kid}
    # ID tokens expire by the wall clock: moving the sandbox clock keeps the old key...
    clock_shift(timedelta(hours=2).total_seconds())
    published = {key["kid"] for key in client.get(f"{ISSUER_PATH}/jwks.json").get_json()["keys"]}
    assert published == {old_kid, new_kid}
    # ...until the wall clock is past the last exp it signed.
    later = clock.wall_now() + timedelta(hours=1, seconds=5)
    monkeypatch.setattr(clock, "wall_now", lambda: later)
    published = {key["kid"] for key in client.get(f"{ISSUER_PATH}/jwks.json").get_json()["keys"]}
    assert published == {new_kid}


def test_rotating_an_unknown_bank_fails(app, runner):
    result = runner.invoke(main, ["keys", "rotate", "--bank", "atlantis",
                                  "--database", app.config["SQLALCHEMY_DATABASE_URI"]])
    assert result.exit_code == 2
    assert "atlantis" in result.output


@pytest.mark.parametrize(("base", "status", "error"), [
    ("https://sandbank.example", 200, None),
    ("http://sandbank.example", 400, "insecure_transport"),
])
def test_public_base_url_names_the_issuer_and_must_be_secure(app, base, status, error):
    public = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SANDBOX_BASE_URL": base, "TESTING": True})
    client = public.test_client()
    document = client.get(f"{ISSUER_PATH}/.well-known/openid-configuration").get_json()
    assert document["issuer"] == f"{base}{ISSUER_PATH}"
    answer = client.post(f"{ISSUER_PATH}/token", data={"grant_type": "client_credentials"},
                         auth=DEMO_SECRET)
    assert answer.status_code == status
    assert answer.get_json().get("error") == error
    with public.app_context():
        db.engine.dispose()


def test_tokens_stop_when_their_consent_expires(client, browser, clock_shift):
    bearer = client_token(client)
    consent = client.post(f"{ISSUER_PATH}/consents", headers=bearer, json={
        "scope": "openid accounts", "expires_at": "2026-03-01T12:30:00Z"}).get_json()
    pkce = Pkce()
    page = browser.authorize(authorize_url(pkce=pkce, scope="openid",
                                           consent_id=consent["consent_id"]))
    tokens = client.post(f"{ISSUER_PATH}/token", data=redeem(query(page.location)["code"], pkce),
                         auth=DEMO_SECRET).get_json()
    user = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get(f"{ISSUER_PATH}/userinfo", headers=user).status_code == 200
    clock_shift(timedelta(minutes=31).total_seconds())
    assert client.get(f"{ISSUER_PATH}/userinfo", headers=user).status_code == 401
    answer = client.post(f"{ISSUER_PATH}/introspect", data={"token": tokens["access_token"]},
                         auth=DEMO_SECRET)
    assert answer.get_json() == {"active": False}
    after = client.get(f"{ISSUER_PATH}/consents/{consent['consent_id']}",
                       headers=client_token(client))
    assert after.get_json()["status"] == "expired"
