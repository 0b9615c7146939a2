"""Connected apps in a real browser, at both widths: sign in at two banks (one asks for the
one-time code), see an app that read data, remove its access with the confirmation, find it
under History, sign out; axe-core and the no-sideways-scroll check on every page."""
from __future__ import annotations

import requests

from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.browser.conftest import assert_accessible, assert_fits


def checked(page) -> None:
    assert_accessible(page)
    assert_fits(page)


def sign_in(page, base: str, bank: str, username: str) -> None:
    page.goto(f"{base}/banks/{bank}/connections")
    checked(page)
    page.fill("#username", username)
    page.fill("#password", "pass_good")
    page.get_by_role("button", name="Sign in").click()


def test_remove_an_apps_access_at_the_bank(page, live_server):
    admin = SandboxAdmin(http_transport(live_server))
    token = admin.token("harborline", "user_good", "accounts balances",
                        purpose="Tell you your balance in chat")
    accounts = requests.get(f"{live_server}/banks/harborline/v1/accounts",
                            headers=token.headers, timeout=30).json()["data"]
    for _ in range(3):
        requests.get(f"{live_server}/banks/harborline/v1/accounts/{accounts[0]['id']}/balances",
                     headers=token.headers, timeout=30)

    sign_in(page, live_server, "harborline", "user_good")
    app = page.locator(f'[data-consent="{token.consent_id}"]')
    assert "Read your balances 3 times today" in app.inner_text()
    assert "Tell you your balance in chat" in app.inner_text()
    checked(page)

    app.get_by_role("button", name="Remove access").click()
    assert page.get_by_role("heading", name="Remove Demo App's access?").is_visible()
    checked(page)
    page.get_by_role("button", name="Remove access").click()

    assert page.locator("[data-removed]").is_visible()
    history = page.locator(f'tr[data-consent="{token.consent_id}"]')
    assert "Access removed" in history.inner_text() and "by you" in history.inner_text()
    checked(page)
    assert requests.get(f"{live_server}/banks/harborline/v1/accounts", headers=token.headers,
                        timeout=30).status_code == 401

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", name="You are signed out").is_visible()
    checked(page)


def test_a_bank_that_asks_for_the_code(page, live_server):
    admin = SandboxAdmin(http_transport(live_server))
    token = admin.token("juniper", "user_mfa", "accounts")

    sign_in(page, live_server, "juniper", "user_mfa")
    code = page.locator("#otp")
    assert code.get_attribute("autocomplete") == "one-time-code"
    checked(page)
    code.fill("000000")
    page.get_by_role("button", name="Verify").click()
    assert page.locator("#otp").get_attribute("aria-invalid") == "true"
    checked(page)
    page.fill("#otp", "123456")
    page.get_by_role("button", name="Verify").click()

    assert page.locator(f'[data-consent="{token.consent_id}"]').is_visible()
    checked(page)
