"""The negative battery: attacks and mistakes from RFC 9700 and the OpenID conformance suite,
each refused the way a client or a person would notice."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from tests.oauth.browser import (
    CALLBACK,
    DEMO_SECRET,
    ISSUER_PATH,
    Pkce,
    authorize_url,
    query,
    redeem,
)

TOKEN = f"{ISSUER_PATH}/token"
EVIL = "https://evil.example/callback"


def introspect(client, token: str) -> bool:
    answer = client.post(f"{ISSUER_PATH}/introspect", data={"token": token}, auth=DEMO_SECRET)
    assert answer.status_code == 200
    return answer.get_json()["active"]


def code_for(browser, client_id="demo-app", pkce=None, **extra) -> str:
    page = browser.authorize(authorize_url(client_id, pkce=pkce, **extra))
    assert page.status == 302, page.text
    return query(page.location)["code"]


def assert_refused_on_page(page, status=400):
    assert page.status == status
    assert page.location is None
    assert "<h1>" in page.text


@pytest.mark.parametrize(("case", "params"), [
    ("unknown client, foreign redirect", {"client_id": "nobody", "redirect_uri": EVIL}),
    ("unregistered redirect", {"redirect_uri": EVIL}),
    ("query added to the redirect", {"redirect_uri": CALLBACK + "?next=" + EVIL}),
    ("path changed", {"redirect_uri": "http://127.0.0.1:8765/callback/evil"}),
    ("userinfo in the host", {"redirect_uri": "http://127.0.0.1@evil.example/callback"}),
    ("fragment", {"redirect_uri": CALLBACK + "#x"}),
    ("https instead of loopback http", {"redirect_uri": "https://127.0.0.1/callback"}),
    ("missing redirect", {"redirect_uri": ""}),
    ("implicit grant to a foreign redirect", {"response_type": "token", "redirect_uri": EVIL}),
    ("bad scope to a foreign redirect", {"scope": "everything", "redirect_uri": EVIL}),
])
def test_authorize_refusal_is_a_page_never_a_redirect(browser, case, params):
    params = {"response_type": "code", "client_id": "demo-app", "redirect_uri": CALLBACK,
              "scope": "accounts", "state": "s1", **params}
    assert_refused_on_page(browser.open(f"{ISSUER_PATH}/authorize?{urlencode(params)}"))


@pytest.mark.parametrize(("case", "params", "error"), [
    ("implicit grant", {"response_type": "token"}, "unsupported_response_type"),
    ("PKCE plain", {"code_challenge": Pkce().verifier, "code_challenge_method": "plain"},
     "invalid_request"),
    ("PKCE challenge without method", {"code_challenge": Pkce().challenge}, "invalid_request"),
    ("public client without PKCE", {"client_id": "demo-public"}, "invalid_request"),
    ("unknown scope", {"scope": "accounts everything"}, "invalid_scope"),
    ("prompt=none without a session", {"prompt": "none"}, "login_required"),
    ("unknown consent", {"consent_id": "cns_unknown"}, "invalid_request"),
])
def test_authorize_error_goes_back_to_the_client(browser, case, params, error):
    state = "st&te= ü/?#"
    params = {"response_type": "code", "client_id": "demo-app", "redirect_uri": CALLBACK,
              "scope": "openid accounts", "state": state, **params}
    page = browser.open(f"{ISSUER_PATH}/authorize?{urlencode(params)}")
    assert page.status == 302
    assert page.location.startswith(CALLBACK + "?")
    answer = query(page.location)
    assert answer["error"] == error
    assert answer["state"] == state
    assert answer["iss"].endswith(ISSUER_PATH)


def test_code_reuse_is_refused_and_revokes_the_first_tokens(client, browser):
    pkce = Pkce()
    code = code_for(browser, pkce=pkce)
    first = client.post(TOKEN, data=redeem(code, pkce), auth=DEMO_SECRET).get_json()
    again = client.post(TOKEN, data=redeem(code, pkce), auth=DEMO_SECRET)
    assert again.status_code == 400
    assert again.get_json()["error"] == "invalid_grant"
    assert not introspect(client, first["access_token"])
    assert not introspect(client, first["refresh_token"])


@pytest.mark.parametrize(("case", "with_challenge", "verifier", "error"), [
    ("wrong verifier", True, Pkce().verifier, "invalid_grant"),
    ("missing verifier (downgrade)", True, None, "invalid_request"),
    ("verifier without a challenge", False, Pkce().verifier, "invalid_request"),
])
def test_pkce_mismatch_is_refused(client, browser, case, with_challenge, verifier, error):
    code = code_for(browser, pkce=Pkce() if with_challenge else None)
    data = redeem(code, None)
    if verifier:
        data["code_verifier"] = verifier
    answer = client.post(TOKEN, data=data, auth=DEMO_SECRET)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == error


def test_redirect_mismatch_at_token_is_refused(client, browser):
    pkce = Pkce()
    code = code_for(browser, pkce=pkce)
    data = redeem(code, pkce, redirect_uri="http://127.0.0.1:9999/callback")
    answer = client.post(TOKEN, data=data, auth=DEMO_SECRET)
    assert answer.get_json()["error"] == "invalid_grant"


def test_another_clients_code_is_refused(client, browser):
    pkce = Pkce()
    code = code_for(browser, "demo-public", pkce=pkce)
    answer = client.post(TOKEN, data=redeem(code, pkce), auth=DEMO_SECRET)
    assert answer.get_json()["error"] == "invalid_grant"


def test_another_banks_code_is_refused(client, browser):
    pkce = Pkce()
    code = code_for(browser, pkce=pkce)
    answer = client.post("/banks/copperleaf/token", data=redeem(code, pkce), auth=DEMO_SECRET)
    assert answer.get_json()["error"] == "invalid_grant"


def test_expired_code_is_refused(client, browser, clock_shift):
    pkce = Pkce()
    code = code_for(browser, pkce=pkce)
    clock_shift(61)
    answer = client.post(TOKEN, data=redeem(code, pkce), auth=DEMO_SECRET)
    assert answer.get_json()["error"] == "invalid_grant"
    assert "expired" in answer.get_json()["error_description"]


@pytest.mark.parametrize(("case", "data", "auth", "status", "error"), [
    ("password grant", {"grant_type": "password", "username": "user_good",
                        "password": "pass_good"}, DEMO_SECRET, 400, "unsupported_grant_type"),
    ("implicit grant type", {"grant_type": "implicit"}, DEMO_SECRET, 400,
     "unsupported_grant_type"),
    ("wrong client secret", {"grant_type": "client_credentials"}, ("demo-app", "guess"), 401,
     "invalid_client"),
    ("public client, client credentials", {"grant_type": "client_credentials",
                                           "client_id": "demo-public"}, None, 401,
     "invalid_client"),
])
def test_token_request_is_refused(client, case, data, auth, status, error):
    answer = client.post(TOKEN, data=data, auth=auth)
    assert answer.status_code == status
    assert answer.get_json()["error"] == error


def test_refresh_replay_revokes_the_live_refresh_token(client, flow):
    tokens, _, _ = flow()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    rotated = client.post(TOKEN, data=refresh, auth=DEMO_SECRET).get_json()
    replay = client.post(TOKEN, data=refresh, auth=DEMO_SECRET)
    assert replay.get_json()["error"] == "invalid_grant"
    live = client.post(TOKEN, data={"grant_type": "refresh_token",
                                    "refresh_token": rotated["refresh_token"]},
                       auth=DEMO_SECRET)
    assert live.get_json()["error"] == "invalid_grant"
    assert not introspect(client, rotated["access_token"])


def push(client, client_id="demo-public", **params) -> dict:
    pkce = Pkce()
    data = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
            "scope": "accounts", "state": "pushed", "code_challenge": pkce.challenge,
            "code_challenge_method": "S256", **params}
    answer = client.post(f"{ISSUER_PATH}/par", data=data,
                         auth=DEMO_SECRET if client_id == "demo-app" else None)
    return answer


def par_url(request_uri: str, client_id: str = "demo-public") -> str:
    params = urlencode({"client_id": client_id, "request_uri": request_uri})
    return f"{ISSUER_PATH}/authorize?{params}"


def test_expired_par_request_uri_is_refused(client, browser, clock_shift):
    request_uri = push(client).get_json()["request_uri"]
    clock_shift(91)
    page = browser.open(par_url(request_uri))
    assert_refused_on_page(page)
    assert "expired" in page.text


def test_reused_par_request_uri_is_refused(client, browser):
    request_uri = push(client).get_json()["request_uri"]
    assert browser.authorize(par_url(request_uri)).status == 302
    page = browser.open(par_url(request_uri))
    assert_refused_on_page(page)
    assert "already used" in page.text


def test_par_request_uri_of_another_client_is_refused(client, browser):
    request_uri = push(client).get_json()["request_uri"]
    assert_refused_on_page(browser.open(par_url(request_uri, "demo-app")))


@pytest.mark.parametrize(("case", "params", "error"), [
    ("request_uri pushed", {"request_uri": "urn:x"}, "invalid_request"),
    ("foreign redirect", {"redirect_uri": EVIL}, "invalid_request"),
    ("PKCE plain", {"code_challenge_method": "plain"}, "invalid_request"),
])
def test_par_refusal_is_answered_to_the_client(client, case, params, error):
    answer = push(client, **params)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == error
    assert "Location" not in answer.headers


def test_introspection_by_a_public_client_is_refused(client, flow):
    tokens, _, _ = flow()
    answer = client.post(f"{ISSUER_PATH}/introspect",
                         data={"token": tokens["access_token"], "client_id": "demo-public"})
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_client"


def test_tokens_of_a_revoked_consent_stop_working(client, flow):
    tokens, _, _ = flow()
    consent_id = client.post(f"{ISSUER_PATH}/introspect", data={"token": tokens["access_token"]},
                             auth=DEMO_SECRET).get_json()["consent_id"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.delete(f"{ISSUER_PATH}/consents/{consent_id}", headers=bearer).status_code == 204
    assert not introspect(client, tokens["access_token"])
    assert client.get(f"{ISSUER_PATH}/userinfo", headers=bearer).status_code == 401
    refresh = client.post(TOKEN, data={"grant_type": "refresh_token",
                                       "refresh_token": tokens["refresh_token"]},
                          auth=DEMO_SECRET)
    assert refresh.get_json()["error"] == "invalid_grant"


def test_deny_returns_access_denied_with_the_state(browser):
    url = authorize_url(pkce=Pkce(), state="keep me")
    page = browser.authorize(url, decision="deny")
    assert page.status == 302
    assert query(page.location)["error"] == "access_denied"
    assert query(page.location)["state"] == "keep me"


@pytest.mark.parametrize(("case", "csrf"), [("missing", None), ("wrong", "forged")])
def test_form_without_the_csrf_token_is_refused(browser, case, csrf):
    page = browser.open(authorize_url(pkce=Pkce()))
    values = {"username": "user_good", "password": "pass_good"}
    if csrf:
        values["csrf_token"] = csrf
    answer = browser.submit(page, values, drop=() if csrf else ("csrf_token",))
    assert_refused_on_page(answer)
    assert "CSRF" in answer.text


def test_locked_user_is_refused_clearly(browser):
    page = browser.open(authorize_url(pkce=Pkce()))
    answer = browser.submit(page, {"username": "user_locked", "password": "pass_good"})
    assert answer.status == 403
    assert answer.location is None
    assert "This account is locked" in answer.text
    assert "password" in answer.form.names


def test_wrong_password_then_right_one(browser):
    page = browser.submit(browser.open(authorize_url(pkce=Pkce())),
                          {"username": "user_good", "password": "nope"})
    assert page.status == 400
    assert "incorrect" in page.text
    answer = browser.submit(page, {"username": "user_good", "password": "pass_good"})
    assert "decision" in answer.form.names


def test_wrong_one_time_code_then_right_one(browser):
    page = browser.submit(browser.open(authorize_url(pkce=Pkce())),
                          {"username": "user_mfa", "password": "pass_good"})
    assert "otp" in page.form.names
    wrong = browser.submit(page, {"otp": "000000"})
    assert wrong.status == 400
    assert "not correct" in wrong.text
    answer = browser.submit(wrong, {"otp": "123456"})
    assert "decision" in answer.form.names


def test_state_comes_back_byte_for_byte(browser):
    state = "a+b c%20d&e=f/é?#ü\"'<>"
    page = browser.authorize(authorize_url(pkce=Pkce(), state=state))
    assert query(page.location)["state"] == state


def test_nonce_replay_is_refused(browser):
    url = authorize_url(pkce=Pkce(), scope="openid accounts", nonce="n-0S6_WzA2Mj")
    assert "code" in query(browser.authorize(url).location)
    replay = query(browser.open(url).location)
    assert replay["error"] == "invalid_request"


@pytest.mark.parametrize(("case", "redirect_uri"), [
    ("fragment", "https://app.example/callback#section"),
    ("plain http off loopback", "http://app.example/callback"),
    ("custom scheme", "javascript:alert(1)"),
])
def test_registration_refuses_unsafe_redirect_uris(client, case, redirect_uri):
    answer = client.post(f"{ISSUER_PATH}/register", json={"redirect_uris": [redirect_uri],
                                                          "client_name": "Probe"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] in ("invalid_redirect_uri", "invalid_client_metadata")


def test_unknown_bank_is_a_problem(client):
    answer = client.get("/banks/atlantis/.well-known/openid-configuration")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert "atlantis" in answer.get_json()["detail"]
