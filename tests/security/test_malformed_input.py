"""Finding 9 of issue 9: malformed input answered with a 500. Each case gets a clear 4xx:
problem+json, or an RFC 6749 error on the OAuth endpoints."""
from __future__ import annotations

import base64

import pytest
import requests
from authlib.oauth2.base import invalid_error_characters

from sandbox.extensions import db
from sandbox.models import OAuthClient
from tests.oauth.browser import BANK, CALLBACK, DEMO_SECRET

ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}
PROBLEM = "application/problem+json"
DEEP = "[" * 100_000
#: Valid JSON, nested just below the parser's recursion limit.
NESTED = "[" * 900 + "]" * 900


@pytest.fixture(scope="module")
def headers(live_server) -> dict[str, dict]:
    """The credentials each kind of body needs: a customer's manage token, a
    client-credentials token, the admin key, nothing."""
    minted = requests.post(f"{live_server}/sandbox/banks/{BANK}/tokens", headers=ADMIN,
                           json={"username": "user_good", "scope": "accounts manage"},
                           timeout=10).json()
    service = requests.post(f"{live_server}/banks/{BANK}/token", auth=DEMO_SECRET,
                            data={"grant_type": "client_credentials"}, timeout=10).json()
    accounts = requests.get(f"{live_server}/banks/{BANK}/v1/accounts", timeout=10, headers={
        "Authorization": f"Bearer {minted['access_token']}"}).json()["data"]
    return {"customer": {"Authorization": f"Bearer {minted['access_token']}"},
            "client": {"Authorization": f"Bearer {service['access_token']}"},
            "admin": ADMIN, "none": {}, "account": accounts[0]["id"]}


JSON_BODIES = [
    ("POST", f"/banks/{BANK}/v1/transfers", "customer", PROBLEM),
    ("PATCH", f"/banks/{BANK}/v1/accounts/{{account}}", "customer", PROBLEM),
    ("POST", f"/banks/{BANK}/v1/webhooks", "client", PROBLEM),
    ("POST", f"/banks/{BANK}/consents", "client", PROBLEM),
    ("POST", f"/banks/{BANK}/register", "none", "application/json"),
    ("POST", "/sandbox/fixtures", "admin", PROBLEM),
    ("POST", f"/sandbox/banks/{BANK}/customers", "admin", PROBLEM),
    ("POST", "/sandbox/clock", "admin", PROBLEM),
]


@pytest.mark.parametrize(("body", "name"), [(DEEP, "deep"), (NESTED, "nested")])
@pytest.mark.parametrize(("method", "path", "who", "media_type"), JSON_BODIES)
def test_deeply_nested_json_is_a_client_error(live_server, headers, method, path, who,
                                              media_type, body, name):
    answer = requests.request(method, live_server + path.format(account=headers["account"]),
                              data=body, timeout=30, headers={
                                  **headers[who], "Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.headers["Content-Type"].startswith(media_type)
    if media_type == PROBLEM:
        assert answer.json()["status"] == answer.status_code
    else:
        assert answer.json()["error"] == "invalid_client_metadata"


@pytest.mark.parametrize(("metadata", "error"), [
    ({"redirect_uris": [5]}, "invalid_redirect_uri"),
    ({"redirect_uris": [None]}, "invalid_redirect_uri"),
    ({"redirect_uris": [["https://app.example/cb"]]}, "invalid_redirect_uri"),
    ({"redirect_uris": "https://app.example/cb"}, "invalid_redirect_uri"),
    ({"redirect_uris": ["https://app.example/cb"], "scope": 5}, "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "scope": ["openid"]},
     "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "client_name": 5}, "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "client_name": True},
     "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "client_name": {"en": "App"}},
     "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "jwks": {}}, "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "jwks": {"keys": [{}]}},
     "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/cb"], "jwks": {"keys": "x"}},
     "invalid_client_metadata"),
    ({"redirect_uris": ["https://app.example/\"cb#\u00e9"]}, "invalid_*"),
    ({"redirect_uris": ["http://app.example/caf\u00e9\\"]}, "invalid_*"),
    ({"redirect_uris": ["https://[::1/cb"]}, "invalid_*"),
    ({"redirect_uris": ["https://app.example/cb\\#x"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["http://app.example/\u2603\"q"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["\u00e9://app.example/cb"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["https://app.example/cb"], "client_name": "\u00c9\"\\" * 101},
     "invalid_client_metadata"),
])
def test_malformed_registration_metadata_is_refused(live_server, metadata, error):
    """``invalid_*``: invalid_redirect_uri or invalid_client_metadata (Authlib's own URI
    checks answer the latter), either way an RFC 6749 error and not a 500."""
    answer = requests.post(f"{live_server}/banks/{BANK}/register", json=metadata, timeout=10)
    assert answer.status_code == 400, answer.text
    expected = ({"invalid_redirect_uri", "invalid_client_metadata"} if error == "invalid_*"
                else {error})
    assert answer.json()["error"] in expected
    assert not invalid_error_characters(answer.json().get("error_description", ""))


def test_a_stored_client_with_a_name_that_is_not_text_still_signs_in(app, live_server):
    with app.app_context():
        client = OAuthClient(bank_id=BANK, client_id="odd-name", client_secret="odd-secret",
                             client_id_issued_at=0, client_secret_expires_at=0)
        client.set_client_metadata({
            "client_name": {"en": "Odd"}, "client_uri": 5, "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic", "scope": "openid"})
        db.session.add(client)
        db.session.commit()
    answer = requests.get(f"{live_server}/banks/{BANK}/authorize", timeout=10, params={
        "response_type": "code", "client_id": "odd-name", "redirect_uri": CALLBACK,
        "scope": "openid", "state": "s"})
    assert answer.status_code == 200
    assert "odd-name" in answer.text


@pytest.mark.parametrize("credentials", [b"\xff\xfe:\xff", b"demo-app:\xe9\x00", b"\x80"])
def test_non_utf8_basic_credentials_are_invalid_client(live_server, credentials):
    for endpoint in ("token", "introspect", "revoke", "par"):
        answer = requests.post(f"{live_server}/banks/{BANK}/{endpoint}", timeout=10,
                               data={"grant_type": "client_credentials", "token": "x"},
                               headers={"Authorization": "Basic "
                                        + base64.b64encode(credentials).decode()})
        assert answer.status_code == 401, (endpoint, answer.text)
        assert answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize("advance", ["P99999999Y", "P99999999999D", "PT99999999999999H",
                                     "P11Y", "P121M"])
def test_endless_clock_moves_are_refused(live_server, advance):
    answer = requests.post(f"{live_server}/sandbox/clock", json={"advance": advance},
                           headers=ADMIN, timeout=10)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM
    assert "ten years" in answer.json()["detail"] or "calendar" in answer.json()["detail"]


def test_a_clock_set_beyond_ten_years_is_refused(live_server):
    answer = requests.post(f"{live_server}/sandbox/clock", json={"set": "9999-12-31T00:00:00Z"},
                           headers=ADMIN, timeout=10)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize("response_type", ["c\u00f6de", "code\"", "code\\", "\u2603"])
@pytest.mark.parametrize("client_id", ["demo-app", "unknown-client"])
def test_authorize_with_unechoable_response_type_is_an_error_page(live_server, response_type,
                                                                   client_id):
    answer = requests.get(f"{live_server}/banks/{BANK}/authorize", timeout=10,
                          allow_redirects=False, params={
                              "response_type": response_type, "client_id": client_id,
                              "redirect_uri": CALLBACK, "scope": "openid", "state": "s"})
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "response_type" in answer.text


@pytest.mark.parametrize("redirect_uri", ["https://app.example/\"cb#\u00e9", CALLBACK + "\\#x",
                                          CALLBACK + "\u00e9"])
def test_unregistered_unechoable_redirect_uri_is_refused_not_a_500(live_server, redirect_uri):
    params = {"response_type": "code", "client_id": "demo-app", "redirect_uri": redirect_uri,
              "scope": "openid", "state": "s"}
    page = requests.get(f"{live_server}/banks/{BANK}/authorize", params=params, timeout=10,
                        allow_redirects=False)
    assert page.status_code == 400
    assert "redirect_uri" in page.text
    pushed = requests.post(f"{live_server}/banks/{BANK}/par", auth=DEMO_SECRET, data=params,
                           timeout=10)
    assert pushed.status_code == 400
    assert pushed.json()["error"] == "invalid_request"


def test_par_with_unechoable_response_type_is_invalid_request(live_server):
    answer = requests.post(f"{live_server}/banks/{BANK}/par", auth=DEMO_SECRET, timeout=10,
                           data={"response_type": "c\u00f6de", "redirect_uri": CALLBACK,
                                 "scope": "openid"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize(("method", "path", "field", "location"), [
    ("POST", f"/banks/{BANK}/revoke", "token", "form"),
    ("POST", f"/banks/{BANK}/introspect", "token", "form"),
    ("POST", f"/banks/{BANK}/token", "refresh_token", "form"),
    ("GET", f"/banks/{BANK}/v1/accounts/acc_x/transactions", "cursor", "query"),
])
def test_a_nul_character_is_refused_naming_its_field(live_server, method, path, field,
                                                     location):
    # PostgreSQL cannot hold a NUL in text: looking the value up answered 500 there.
    value = {field: "tok\x00en"}
    form = {"grant_type": "refresh_token", **value} if field == "refresh_token" else value
    answer = requests.request(method, f"{live_server}{path}", auth=DEMO_SECRET, timeout=10,
                              **({"data": form} if location == "form" else {"params": value}))

    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM
    assert answer.json()["errors"] == [{
        "path": field, "location": location,
        "message": f"{field} holds a NUL character, which no stored text may hold."}]


@pytest.mark.parametrize(("path", "body", "field"), [
    (f"/sandbox/banks/{BANK}/tokens", {"username": "user\u0000good", "scope": "accounts"},
     "username"),
    (f"/banks/{BANK}/register", {"client_name": "app", "redirect_uris": [
        "https://app.example/cb", "https://app.example/c\u0000b"]}, "redirect_uris[1]"),
    ("/sandbox/fixtures", {"customers": [{"bank": BANK, "user\u0000name": "x"}]},
     "customers[0].user\u0000name"),
])
def test_a_nul_character_in_a_json_body_is_refused_naming_its_member(live_server, path, body,
                                                                     field):
    # Minting a token for "user\x00good" answered 500 on PostgreSQL.
    answer = requests.post(f"{live_server}{path}", json=body, headers=ADMIN, timeout=10)

    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM
    assert answer.json()["errors"] == [{
        "path": field, "location": "json",
        "message": f"{field} holds a NUL character, which no stored text may hold."}]
