"""Fixtures of the connected-apps tests: a person at the pages, an app that read their data."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from sandbox.config import DEFAULT_ADMIN_KEY
from tests.oauth.browser import Browser, FormParser, Page, client_browser

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}


def connections_url(bank: str) -> str:
    return f"/banks/{bank}/connections"


def forms(page: Page) -> dict[str, object]:
    """The page's forms by the path they post to."""
    parser = FormParser()
    parser.feed(page.text)
    return {urlsplit(form.action).path: form for form in parser.forms}


def post_form(browser: Browser, page: Page, action: str, extra: dict | None = None) -> Page:
    """Submit the form of ``page`` that posts to ``action`` (its hidden fields, plus
    ``extra``), following the server's redirects."""
    form = forms(page)[action]
    data = [(name, value) for name, value in form.fields if name not in (extra or {})]
    data += list((extra or {}).items())
    answer = browser.send("POST", action, data)
    while answer.status == 303:
        answer = browser.send("GET", answer.location, None)
    return answer


def sign_in(browser: Browser, bank: str = "harborline", username: str = "user_good",
            password: str = "pass_good", code: str | None = "123456") -> Page:
    """Open the bank's connected apps and sign in (with the one-time code when asked)."""
    page = browser.open(connections_url(bank))
    assert page.status == 200 and "password" in page.form.names, page.text
    page = browser.submit(page, {"username": username, "password": password})
    if page.status == 200 and 'name="otp"' in page.text and code is not None:
        page = browser.submit(page, {"otp": code})
    return page


@dataclass
class Granted:
    """An app's consent and token, as the control plane minted them."""

    consent_id: str
    headers: dict


@pytest.fixture
def grant(client):
    """``grant(bank, username, scope, purpose)``: an authorized consent of ``demo-app``."""

    def mint(bank: str = "harborline", username: str = "user_good",
             scope: str = "openid accounts balances transactions",
             purpose: str | None = "Show your balance in chat") -> Granted:
        answer = client.post(f"/sandbox/banks/{bank}/tokens", headers=ADMIN, json={
            "username": username, "scope": scope, "purpose": purpose})
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        return Granted(body["consent_id"], {"Authorization": f"Bearer {body['access_token']}"})

    return mint


def read_balances(client, granted: Granted, bank: str = "harborline", times: int = 1) -> int:
    """Read the balances of the consent's first account ``times`` times; answers the last
    status."""
    accounts = client.get(f"/banks/{bank}/v1/accounts", headers=granted.headers)
    if accounts.status_code != 200:
        return accounts.status_code
    account_id = accounts.get_json()["data"][0]["id"]
    status = 200
    for _ in range(times):
        status = client.get(f"/banks/{bank}/v1/accounts/{account_id}/balances",
                            headers=granted.headers).status_code
    return status


@pytest.fixture
def browser(client) -> Browser:
    return client_browser(client)
