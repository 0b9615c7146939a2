"""The consent flow's pages for the person: Cancel, autofill hints, the app's logo and
website, and the way to Connected apps."""
from __future__ import annotations

import pytest

from tests.oauth.browser import BANK, CALLBACK, ISSUER_PATH, Pkce, authorize_url, query


def cancel(browser, page):
    return browser.submit(page, button=("cancel", "yes"))


@pytest.mark.parametrize(("username", "step"), [("user_good", "login"), ("user_mfa", "otp")])
def test_cancel_returns_to_the_app_like_deny(browser, username, step):
    url = authorize_url(pkce=Pkce())
    page = browser.open(url)
    if step == "otp":
        page = browser.submit(page, {"username": username, "password": "pass_good"})
        assert 'autocomplete="one-time-code"' in page.text
    else:
        assert 'autocomplete="username"' in page.text
        assert 'autocomplete="current-password"' in page.text

    answer = cancel(browser, page)

    assert answer.status == 302
    assert answer.location.startswith(CALLBACK)
    back = query(answer.location)
    assert (back["error"], back["state"]) == ("access_denied", query(url)["state"])
    assert back["iss"].endswith(ISSUER_PATH) and "code" not in back
    assert browser.open(url).status == 200, "the request's sign-in is gone"


def test_enter_in_a_field_signs_in_rather_than_cancels(browser):
    """A form's default button (Enter) is its first submit button."""
    page = browser.open(authorize_url(pkce=Pkce()))
    buttons = [line for line in page.text.splitlines() if "<button" in line]
    assert 'class="primary"' in buttons[0] and 'name="cancel"' in buttons[1]


def test_the_consent_page_shows_the_app_and_links_to_connected_apps(client, browser):
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "client_name": "Budget Buddy", "redirect_uris": [CALLBACK],
        "client_uri": "https://budget.example/about",
        "logo_uri": "https://budget.example/logo.png",
        "token_endpoint_auth_method": "none", "scope": "openid accounts"}).get_json()
    page = browser.open(authorize_url(registered["client_id"], pkce=Pkce(), scope="accounts"))
    page = browser.submit(page, {"username": "user_good", "password": "pass_good"})

    assert page.status == 200 and "Allow Budget Buddy" in page.text
    assert '<img src="https://budget.example/logo.png"' in page.text
    assert "budget.example" in page.text
    assert "img-src 'self' https:" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]
    assert f'href="/banks/{BANK}/connections"' in page.text
    assert "You can remove access at any time in" in page.text


def test_a_logo_that_is_not_https_is_not_shown(client, browser):
    registered = client.post(f"{ISSUER_PATH}/register", json={
        "client_name": "Plain Logo", "redirect_uris": [CALLBACK],
        "logo_uri": "http://plain.example/logo.png",
        "token_endpoint_auth_method": "none", "scope": "openid accounts"}).get_json()
    page = browser.open(authorize_url(registered["client_id"], pkce=Pkce(), scope="accounts"))

    assert "plain.example/logo.png" not in page.text
    assert "https:" not in page.headers["Content-Security-Policy"]
