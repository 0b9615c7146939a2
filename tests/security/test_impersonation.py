"""Finding 12 of issue 9: impersonation through open registration. A self-registered
"Demo App" is marked as unverified on the pages, with its website's host, and gets no data
scope (and never `manage`) unless it asked for them."""
from __future__ import annotations

import requests

from tests.oauth.browser import BANK, Pkce, authorize_url, live_browser

EVERYTHING = "openid profile accounts balances transactions identity manage"
CALLBACK = "https://demo-app.evil.example/callback"


def register(base: str, **metadata) -> dict:
    answer = requests.post(f"{base}/banks/{BANK}/register", timeout=10, json={
        "client_name": "Demo App", "redirect_uris": [CALLBACK], **metadata})
    assert answer.status_code == 201, answer.text
    return answer.json()


def pages(base: str, client_id: str, redirect_uri: str, scope: str = EVERYTHING):
    """The sign-in page and, after signing in as user_good, the consent page."""
    browser = live_browser(requests.Session(), base)
    sign_in = browser.open(authorize_url(client_id, redirect_uri=redirect_uri, scope=scope,
                                         pkce=Pkce()))
    assert sign_in.status == 200, sign_in.text[:300]
    consent = browser.submit(sign_in, {"username": "user_good", "password": "pass_good"})
    assert consent.status == 200 and "decision" in consent.form.names
    return sign_in, consent


def test_a_registered_demo_app_is_unverified_with_its_host(live_server):
    client = register(live_server, client_uri="https://www.evil.example/about")
    assert client["scope"] == "openid"
    sign_in, consent = pages(live_server, client["client_id"], CALLBACK)
    for page in (sign_in, consent):
        assert "Unverified app" in page.text
        assert "www.evil.example" in page.text
    assert "<code>openid</code>" in consent.text
    for scope in ("accounts", "balances", "transactions", "identity", "manage", "profile"):
        assert f"<code>{scope}</code>" not in consent.text


def test_without_a_website_the_page_says_so(live_server):
    client = register(live_server)
    _, consent = pages(live_server, client["client_id"], CALLBACK)
    assert "Unverified app" in consent.text
    assert "gave no website" in consent.text


def test_manage_only_when_asked_for(live_server):
    client = register(live_server, scope="openid accounts balances",
                      client_uri="https://budget.example")
    _, consent = pages(live_server, client["client_id"], CALLBACK)
    assert "<code>accounts</code>" in consent.text
    assert "<code>manage</code>" not in consent.text
    assert "budget.example" in consent.text


def test_the_real_demo_app_is_not_marked(live_server):
    sign_in, consent = pages(live_server, "demo-app", "http://127.0.0.1:8765/callback",
                             scope="openid accounts")
    for page in (sign_in, consent):
        assert "Unverified app" not in page.text
