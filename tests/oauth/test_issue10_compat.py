"""Issue 10: what off-the-shelf relying-party libraries rely on (test client; limits through a
live server). The libraries themselves run in tests/oauth/compat."""
from __future__ import annotations

import jwt
import requests

from tests.oauth.browser import BANK, CALLBACK, DEMO_SECRET, ISSUER_PATH, Pkce, query, redeem


def test_rfc8414_metadata_is_the_discovery_document_and_cacheable(client):
    oidc = client.get(f"{ISSUER_PATH}/.well-known/openid-configuration")
    rfc8414 = client.get(f"/.well-known/oauth-authorization-server/banks/{BANK}")
    assert rfc8414.status_code == 200
    assert rfc8414.get_json() == oidc.get_json()
    assert oidc.get_json()["request_uri_parameter_supported"] is False
    for answer in (oidc, rfc8414, client.get(f"{ISSUER_PATH}/jwks.json")):
        assert answer.headers["Cache-Control"].startswith("public, max-age=")


def test_bearer_challenges_carry_no_error_without_credentials(client):
    """One convention at every protected endpoint: no Bearer token, no ``error``; a malformed
    one ``invalid_request``; an unknown one ``invalid_token``."""
    for path in ("/v1/accounts", "/userinfo", "/consents/x", "/v1/webhooks"):
        answer = client.get(f"{ISSUER_PATH}{path}")
        assert answer.status_code == 401, path
        assert answer.headers["WWW-Authenticate"] == f'Bearer realm="{BANK}"', path
        bad = client.get(f"{ISSUER_PATH}{path}", headers={"Authorization": "Bearer nope"})
        assert f'realm="{BANK}", error="invalid_token"' in bad.headers["WWW-Authenticate"]
        for no_token in ("Basic eDp5", "Bearer"):
            answer = client.get(f"{ISSUER_PATH}{path}", headers={"Authorization": no_token})
            assert answer.headers["WWW-Authenticate"] == f'Bearer realm="{BANK}"', path
        malformed = client.get(f"{ISSUER_PATH}{path}",
                               headers={"Authorization": "Bearer two tokens"})
        assert malformed.status_code == 401, path
        assert (f'realm="{BANK}", error="invalid_request"'
                in malformed.headers["WWW-Authenticate"]), path


def test_userinfo_answers_get_and_post_with_the_token_in_header_or_form(client, flow):
    tokens, _, _ = flow()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    by_get = client.get(f"{ISSUER_PATH}/userinfo", headers=bearer).get_json()
    assert client.post(f"{ISSUER_PATH}/userinfo", headers=bearer).get_json() == by_get
    form = client.post(f"{ISSUER_PATH}/userinfo", data={"access_token": tokens["access_token"]})
    assert form.status_code == 200
    assert form.get_json() == by_get


def test_introspected_refresh_token_is_bearer(client, flow):
    tokens, _, _ = flow()
    answer = client.post(f"{ISSUER_PATH}/introspect", auth=DEMO_SECRET,
                         data={"token": tokens["refresh_token"]}).get_json()
    assert answer["active"] is True
    assert answer["token_type"] == "Bearer"


def test_registered_auth_method_is_enforced(client):
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic"}).get_json()
    credentials = (registered["client_id"], registered["client_secret"])
    post = {"client_id": credentials[0], "client_secret": credentials[1]}
    for endpoint, data in (("token", {"grant_type": "client_credentials"}),
                           ("introspect", {"token": "x"}), ("revoke", {"token": "x"}),
                           ("par", {"response_type": "code", "scope": "openid"})):
        refused = client.post(f"{ISSUER_PATH}/{endpoint}", data={**data, **post})
        assert refused.status_code == 401, endpoint
    assert client.post(f"{ISSUER_PATH}/token", data={"grant_type": "client_credentials"},
                       auth=credentials).status_code == 200


def test_registration_refuses_fragments_and_mismatched_response_types(client):
    fragment = client.post(f"{ISSUER_PATH}/register", json={
        "redirect_uris": ["https://rp.example/cb#frag"]})
    assert fragment.status_code == 400
    assert fragment.get_json()["error"] == "invalid_redirect_uri"
    mismatch = client.post(f"{ISSUER_PATH}/register", json={
        "grant_types": ["client_credentials"], "response_types": ["code"]})
    assert mismatch.get_json()["error"] == "invalid_client_metadata"
    no_code = client.post(f"{ISSUER_PATH}/register", json={
        "grant_types": ["authorization_code"], "response_types": [],
        "redirect_uris": ["https://rp.example/cb"]})
    assert no_code.get_json()["error"] == "invalid_client_metadata"


def test_over_long_query_string_is_a_documented_problem_414(client, live_server):
    """Under gunicorn's request-line maximum (8190 bytes) the app answers, not gunicorn."""
    for length in (5000, 8000):
        answer = requests.get(f"{live_server}{ISSUER_PATH}/v1/accounts?q=" + "a" * length,
                              timeout=10)
        assert answer.status_code == 414, length
        assert answer.headers["Content-Type"] == "application/problem+json", length
    spec = client.get("/openapi.json").get_json()
    assert "414" in spec["paths"]["/banks/{bank_id}/v1/accounts"]["get"]["responses"]


def test_every_advertised_value_works_and_every_claim_is_advertised(client, flow, browser):
    """Discovery tells the truth: each advertised prompt and response mode completes a flow,
    every advertised scope can be granted at once (pushed first, as Consumer Data Right scopes
    need), and the ID token and userinfo carry only advertised claims."""
    metadata = client.get(f"{ISSUER_PATH}/.well-known/openid-configuration").get_json()
    for prompt in set(metadata["prompt_values_supported"]) - {"none"}:  # none: no session here
        flow(prompt=prompt)
    for mode in metadata["response_modes_supported"]:
        flow(response_mode=mode)
    pkce = Pkce()
    pushed = client.post(f"{ISSUER_PATH}/par", auth=DEMO_SECRET, data={
        "response_type": "code", "redirect_uri": CALLBACK, "state": "all",
        "scope": " ".join(metadata["scopes_supported"]), "code_challenge": pkce.challenge,
        "code_challenge_method": "S256"}).get_json()
    page = browser.authorize(f"{ISSUER_PATH}/authorize?client_id=demo-app&request_uri="
                             f"{pushed['request_uri']}")
    tokens = client.post(f"{ISSUER_PATH}/token", auth=DEMO_SECRET,
                         data=redeem(query(page.location)["code"], pkce)).get_json()
    assert set(tokens["scope"].split()) == set(metadata["scopes_supported"])
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    userinfo = client.get(f"{ISSUER_PATH}/userinfo", headers={
        "Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert set(claims) | set(userinfo) <= set(metadata["claims_supported"])
