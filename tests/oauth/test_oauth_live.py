"""The whole consent flow, driven by a real OAuth client library (Authlib's OAuth2Session over
requests) against ``sandbox serve`` with two gunicorn workers, filling the real HTML forms."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from tests.oauth.browser import BANK, CALLBACK, live_browser, query
from joserfc import jwt
from joserfc.jwk import KeySet

SCOPE = "openid profile offline_access accounts balances transactions"


@pytest.fixture(scope="module")
def issuer(live_server) -> str:
    return f"{live_server}/banks/{BANK}"


@pytest.fixture(scope="module")
def metadata(issuer) -> dict:
    document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == issuer
    return document


@pytest.fixture
def person(live_server):
    """Someone at a browser, with their own cookies."""
    return live_browser(requests.Session(), live_server)


def verify_id_token(metadata: dict, token: dict, nonce: str) -> CodeIDToken:
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = CodeIDToken(decoded.claims, decoded.header,
                         options={"iss": {"essential": True, "value": metadata["issuer"]},
                                  "aud": {"essential": True, "value": "demo-app"}},
                         params={"nonce": nonce, "access_token": token["access_token"],
                                 "client_id": "demo-app"})
    claims.validate()  # against the wall clock, whatever the sandbox clock says
    return claims


def test_authorization_code_flow_end_to_end(metadata, person):
    oauth = OAuth2Session("demo-app", "demo-secret", scope=SCOPE, redirect_uri=CALLBACK,
                          code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = oauth.create_authorization_url(metadata["authorization_endpoint"],
                                                code_verifier=verifier, nonce=nonce)
    callback = person.authorize(url, "user_mfa")
    assert callback.status == 302
    assert query(callback.location)["iss"] == metadata["issuer"]
    token = oauth.fetch_token(metadata["token_endpoint"], authorization_response=callback.location,
                              code_verifier=verifier, state=state)
    claims = verify_id_token(metadata, token, nonce)
    assert claims["amr"] == ["pwd", "otp"]

    userinfo = oauth.get(metadata["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["preferred_username"] == "user_mfa"

    first_refresh = token["refresh_token"]
    refreshed = oauth.refresh_token(metadata["token_endpoint"])
    assert refreshed["refresh_token"] != first_refresh
    assert refreshed["access_token"] != token["access_token"]

    active = oauth.introspect_token(metadata["introspection_endpoint"],
                                    token=refreshed["access_token"]).json()
    assert active["active"] is True
    assert active["username"] == "user_mfa"

    revoked = oauth.revoke_token(metadata["revocation_endpoint"],
                                 token=refreshed["refresh_token"],
                                 token_type_hint="refresh_token")
    assert revoked.status_code == 200
    after = oauth.introspect_token(metadata["introspection_endpoint"],
                                   token=refreshed["access_token"]).json()
    assert after == {"active": False}


def test_pushed_authorization_request_with_a_public_client(metadata, person):
    oauth = OAuth2Session("demo-public", scope="openid accounts", redirect_uri=CALLBACK,
                          token_endpoint_auth_method="none")
    verifier, state = generate_token(48), generate_token(16)
    pushed = requests.post(metadata["pushed_authorization_request_endpoint"], timeout=10, data={
        "client_id": "demo-public", "response_type": "code", "redirect_uri": CALLBACK,
        "scope": "openid accounts", "state": state,
        "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"})
    assert pushed.status_code == 201
    request_uri = pushed.json()["request_uri"]
    url = (f"{metadata['authorization_endpoint']}?"
           f"{urlencode({'client_id': 'demo-public', 'request_uri': request_uri})}")
    callback = person.authorize(url)
    assert query(callback.location)["state"] == state
    token = oauth.fetch_token(metadata["token_endpoint"], authorization_response=callback.location,
                              code_verifier=verifier, state=state)
    assert token["scope"] == "openid accounts"
    assert oauth.get(metadata["userinfo_endpoint"]).json()["sub"]


def test_consent_created_first_then_authorized_and_revoked(issuer, metadata, person):
    service = OAuth2Session("demo-app", "demo-secret")
    service.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    created = service.post(f"{issuer}/consents", json={
        "scope": "accounts balances", "purpose": "Show your balance in chat"})
    assert created.status_code == 201
    consent_id = created.json()["consent_id"]

    oauth = OAuth2Session("demo-app", "demo-secret", scope="openid", redirect_uri=CALLBACK,
                          code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(metadata["authorization_endpoint"],
                                                code_verifier=verifier, consent_id=consent_id)
    callback = person.authorize(url, "customer_00001")
    token = oauth.fetch_token(metadata["token_endpoint"], authorization_response=callback.location,
                              code_verifier=verifier, state=state)
    assert set(token["scope"].split()) == {"openid", "accounts", "balances"}

    consent = service.get(f"{issuer}/consents/{consent_id}").json()
    assert consent["status"] == "authorized"
    assert consent["account_ids"]
    assert service.delete(f"{issuer}/consents/{consent_id}").status_code == 204
    assert service.get(f"{issuer}/consents/{consent_id}").json()["status"] == "revoked"
    introspection = service.introspect_token(metadata["introspection_endpoint"],
                                             token=token["access_token"]).json()
    assert introspection == {"active": False}


def test_a_code_redeemed_at_once_by_both_workers_works_once(metadata, person):
    oauth = OAuth2Session("demo-app", "demo-secret", scope="accounts", redirect_uri=CALLBACK,
                          code_challenge_method="S256")
    verifier = generate_token(48)
    url, _ = oauth.create_authorization_url(metadata["authorization_endpoint"],
                                            code_verifier=verifier)
    code = query(person.authorize(url).location)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": verifier}

    def redeem(_):
        return requests.post(metadata["token_endpoint"], data=form, timeout=10,
                             auth=("demo-app", "demo-secret"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(redeem, range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400]
    winner = next(answer.json() for answer in answers if answer.status_code == 200)
    introspection = oauth.introspect_token(metadata["introspection_endpoint"],
                                           token=winner["access_token"]).json()
    assert introspection == {"active": False}


def test_a_consent_revoked_at_once_by_both_workers_is_revoked_once(issuer, metadata, person):
    service = OAuth2Session("demo-app", "demo-secret")
    service.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    consent_id = service.post(f"{issuer}/consents", json={"scope": "accounts"}).json()["consent_id"]
    oauth = OAuth2Session("demo-app", "demo-secret", scope="openid", redirect_uri=CALLBACK,
                          code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(metadata["authorization_endpoint"],
                                                code_verifier=verifier, consent_id=consent_id)
    person.authorize(url, "user_good")
    headers = {"Authorization": f"Bearer {service.token['access_token']}"}

    def revoke(_):
        return requests.delete(f"{issuer}/consents/{consent_id}", headers=headers,
                               timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(revoke, range(8)))
    assert statuses == [204] * 8
    assert service.get(f"{issuer}/consents/{consent_id}").json()["status"] == "revoked"
