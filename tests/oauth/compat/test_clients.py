"""Certified and popular relying-party libraries against every bank, on the wall clock and with
the sandbox clock pinned a year in the past and a year in the future, with no clock-skew or
leeway option anywhere (issue 10).

openid-client 6 (Node) runs nearly every step; PyJWT validates the ID token against the JWKS;
pyoidc does discovery, registration, the code flow with its ID-token checks and userinfo with
its default POST; requests-oauthlib does PKCE, the code exchange, refresh, client credentials
and protected resources. The README's "Client libraries" table says which covers which step.
"""
from __future__ import annotations

import secrets
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from oic.oic import Client as PyoidcClient
from oic.oic.message import AuthorizationResponse
from oic.utils.authn.client import CLIENT_AUTHN_METHOD
from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from tests.oauth.browser import CALLBACK
from tests.oauth.compat.conftest import BANKS, SCOPE

pytestmark = pytest.mark.live

DEMO = {"client_id": "demo-app", "client_secret": "demo-secret",
        "auth_method": "client_secret_basic"}
PUBLIC = {"client_id": "demo-public", "auth_method": "none"}
DEMO_AUTH = HTTPBasicAuth("demo-app", "demo-secret")
EVERY_BANK = pytest.mark.parametrize(("bank",), [(bank,) for bank in BANKS])


def issuer_of(sandbox: dict, bank: str) -> str:
    return f"{sandbox['base']}/banks/{bank}"


def assert_world_time(sandbox: dict, instant: str) -> None:
    """World data stays in sandbox time: ``instant`` is within a day of the sandbox clock."""
    seen = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    expected = sandbox["pinned"] or datetime.now(timezone.utc)
    assert abs(seen - expected) < timedelta(days=1), (seen, expected)


@EVERY_BANK
@pytest.mark.parametrize(("demo",), [(DEMO,), (PUBLIC,)], ids=["confidential", "public"])
def test_openid_client_oidc_discovery_code_flow_to_revocation(sandbox, person, openid_client,
                                                              bank, demo):
    """OIDC discovery, PKCE S256 + state + nonce, the pages, code exchange with ID token
    validation, userinfo GET and POST, the data API through ``fetchProtectedResource``,
    introspection (confidential client), refresh with rotation and revocation."""
    client = {**demo, "issuer": issuer_of(sandbox, bank), "algorithm": "oidc"}
    request = openid_client("begin", **client, redirect_uri=CALLBACK, scope=SCOPE, par=False)
    callback = person.authorize(request["url"], "user_good")
    assert callback.status == 302, callback.text
    result = openid_client("finish", **client, callback=callback.location,
                           resource=client["issuer"], verifier=request["verifier"],
                           state=request["state"], nonce=request["nonce"])
    assert result["userinfo"]["preferred_username"] == "user_good"
    assert_world_time(sandbox, result["balances"]["as_of"])


@EVERY_BANK
def test_openid_client_registered_client_rfc8414_and_par(sandbox, person, openid_client, bank):
    """DCR, then client credentials with the new client; RFC 8414 discovery and a pushed
    authorization request for ``user_mfa`` (one-time code page) with the registered client."""
    issuer = issuer_of(sandbox, bank)
    registered = openid_client("register", issuer=issuer, redirect_uri=CALLBACK,
                               auth_method="client_secret_post", scope=SCOPE)
    assert registered["client_secret_expires_at"] == 0
    consent = requests.post(f"{issuer}/consents", timeout=10, json={
        "scope": "accounts balances", "purpose": "Compatibility suite"},
        headers={"Authorization": f"Bearer {registered['cc_token']}"})
    assert consent.status_code == 201, consent.text
    assert_world_time(sandbox, consent.json()["created_at"])

    client = {"issuer": issuer, "client_id": registered["client_id"],
              "client_secret": registered["client_secret"],
              "auth_method": "client_secret_post", "algorithm": "oauth2"}
    request = openid_client("begin", **client, redirect_uri=CALLBACK, scope=SCOPE, par=True)
    callback = person.authorize(request["url"], "user_mfa")
    assert callback.status == 302, callback.text
    result = openid_client("finish", **client, callback=callback.location, resource=issuer,
                           verifier=request["verifier"], state=request["state"],
                           nonce=request["nonce"])
    assert result["claims"]["amr"] == ["pwd", "otp"]
    assert_world_time(sandbox, result["balances"]["as_of"])


@EVERY_BANK
def test_requests_oauthlib_with_pyjwt(sandbox, person, bank, monkeypatch):
    """requests-oauthlib: PKCE S256, code exchange, protected resources, refresh with
    rotation, client credentials; PyJWT's ``PyJWKClient`` validates the ID token."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the client side of loopback http
    issuer = issuer_of(sandbox, bank)
    metadata = requests.get(f"{sandbox['base']}/.well-known/oauth-authorization-server/banks/"
                            f"{bank}", timeout=10).json()
    assert metadata["issuer"] == issuer

    oauth = OAuth2Session("demo-app", redirect_uri=CALLBACK, scope=SCOPE, pkce="S256")
    nonce = secrets.token_urlsafe(16)
    url, state = oauth.authorization_url(metadata["authorization_endpoint"], nonce=nonce)
    callback = person.authorize(url, "user_good")
    token = oauth.fetch_token(metadata["token_endpoint"], authorization_response=callback.location,
                              auth=DEMO_AUTH)

    jwks = jwt.PyJWKClient(metadata["jwks_uri"])
    signing_key = jwks.get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(token["id_token"], signing_key.key,
                        algorithms=metadata["id_token_signing_alg_values_supported"],
                        audience="demo-app", issuer=issuer,
                        options={"require": ["exp", "iat", "auth_time", "nonce", "sub"]})
    assert claims["nonce"] == nonce

    userinfo = oauth.get(metadata["userinfo_endpoint"])
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == claims["sub"]
    assert oauth.post(metadata["userinfo_endpoint"]).json() == userinfo.json()
    accounts = oauth.get(f"{issuer}/v1/accounts")
    assert accounts.status_code == 200
    sent = parsedate_to_datetime(accounts.headers["Date"])
    assert abs(sent - datetime.now(timezone.utc)) < timedelta(minutes=5)  # HTTP Date: wall
    balances = oauth.get(f"{issuer}/v1/accounts/{accounts.json()['data'][0]['id']}/balances")
    assert_world_time(sandbox, balances.json()["as_of"])

    spent = token["refresh_token"]
    refreshed = oauth.refresh_token(metadata["token_endpoint"], auth=DEMO_AUTH)
    assert refreshed["refresh_token"] != spent
    assert oauth.get(f"{issuer}/v1/accounts").status_code == 200

    backend = OAuth2Session(client=BackendApplicationClient(client_id="demo-app"))
    backend.fetch_token(metadata["token_endpoint"], auth=DEMO_AUTH)
    consent = backend.post(f"{issuer}/consents", json={"scope": "accounts",
                                                       "purpose": "Compatibility suite"})
    assert consent.status_code == 201, consent.text
    assert_world_time(sandbox, consent.json()["created_at"])


@EVERY_BANK
def test_pyoidc(sandbox, person, bank):
    """pyoidc: discovery, registration, the code flow with PKCE and its own ID token checks,
    its default userinfo request (POST, token in the body), a protected resource, refresh."""
    issuer = issuer_of(sandbox, bank)
    registrar = PyoidcClient(client_authn_method=CLIENT_AUTHN_METHOD)
    registrar.provider_config(issuer)
    registered = registrar.register(registrar.provider_info["registration_endpoint"],
                                    redirect_uris=[CALLBACK], response_types=["code"],
                                    token_endpoint_auth_method="client_secret_basic")
    assert registered["client_id"] == registrar.client_id
    assert abs(registered["client_id_issued_at"] - time.time()) < 300  # wall clock

    # OIDC registration has no `scope`: a client registered so gets `openid` alone, so the
    # code flow runs as the demo client, which may read data.
    rp = PyoidcClient(client_id="demo-app", client_authn_method=CLIENT_AUTHN_METHOD)
    rp.client_secret = "demo-secret"
    rp.provider_config(issuer)

    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    challenge, verifier = rp.add_code_challenge()
    request = rp.construct_AuthorizationRequest(request_args={
        "client_id": rp.client_id, "response_type": "code", "scope": SCOPE.split(),
        "redirect_uri": CALLBACK, "state": state, "nonce": nonce, **challenge})
    callback = person.authorize(request.request(rp.authorization_endpoint), "user_good")
    answer = rp.parse_response(AuthorizationResponse, info=urlsplit(callback.location).query,
                               sformat="urlencoded")
    assert answer["state"] == state

    token = rp.do_access_token_request(
        state=state, request_args={"code": answer["code"], "code_verifier": verifier},
        authn_method="client_secret_basic")
    id_token = token["id_token"]
    assert id_token["nonce"] == nonce

    userinfo = rp.do_user_info_request(state=state)
    assert userinfo["sub"] == id_token["sub"]
    assert userinfo["preferred_username"] == "user_good"
    accounts = rp.fetch_protected_resource(f"{issuer}/v1/accounts", state=state)
    assert accounts.status_code == 200
    assert accounts.json()["data"]

    spent = token["refresh_token"]
    refreshed = rp.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert refreshed["refresh_token"] != spent
    assert rp.fetch_protected_resource(f"{issuer}/v1/accounts", state=state).status_code == 200


def test_pyjwt_validates_an_id_token_signed_before_a_key_rotation(sandbox, person, monkeypatch):
    """After ``sandbox keys rotate`` the JWKS still holds the key of an unexpired ID token, on
    every clock setting (its lifetime runs on the wall clock), and the new key signs."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    bank = BANKS[0]
    issuer = issuer_of(sandbox, bank)
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()

    def id_token() -> str:
        oauth = OAuth2Session("demo-app", redirect_uri=CALLBACK, scope="openid", pkce="S256")
        url, _ = oauth.authorization_url(metadata["authorization_endpoint"])
        callback = person.authorize(url, "user_good")
        return oauth.fetch_token(metadata["token_endpoint"], auth=DEMO_AUTH,
                                 authorization_response=callback.location)["id_token"]

    def validate(token: str) -> str:
        jwks = jwt.PyJWKClient(metadata["jwks_uri"], cache_jwk_set=False)
        key = jwks.get_signing_key_from_jwt(token)
        jwt.decode(token, key.key, algorithms=["RS256"], audience="demo-app", issuer=issuer)
        return key.key_id

    before = id_token()
    rotated = subprocess.run([str(Path(sys.executable).with_name("sandbox")), "keys", "rotate",
                              "--bank", bank, "--database", sandbox["database"]],
                             capture_output=True, text=True, timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    old_kid = validate(before)
    assert validate(id_token()) != old_kid
