"""The container image as a user runs it: ``make test-image`` builds it, starts it with its port
published on loopback and points ``SANDBOX_TEST_IMAGE_URL`` at it; these tests walk the whole
PKCE flow against it. Without that variable they are skipped."""
from __future__ import annotations

import os

import pytest
import requests

from tests.oauth.browser import BANK, Pkce, authorize_url, live_browser, query, redeem

#: The environment variable naming the running container's base URL.
ENV = "SANDBOX_TEST_IMAGE_URL"
BASE = os.environ.get(ENV, "").rstrip("/")

pytestmark = [pytest.mark.image,
              pytest.mark.skipif(not BASE, reason=f"{ENV} is unset: no container to test "
                                                  "(make test-image builds and starts one)")]


def test_the_container_is_ready():
    ready = requests.get(f"{BASE}/readyz", timeout=10)

    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


def test_a_public_client_signs_in_with_pkce_and_reads_balances():
    issuer = f"{BASE}/banks/{BANK}"
    person = live_browser(requests.Session(), BASE)
    pkce = Pkce()

    callback = person.authorize(authorize_url("demo-public", pkce=pkce,
                                              scope="openid accounts balances"), "user_mfa")
    assert callback.status == 302
    returned = query(callback.location)
    assert returned["iss"] == issuer  # the public URL the container was given
    token = requests.post(f"{issuer}/token", data=redeem(returned["code"], pkce, "demo-public"),
                          timeout=10)
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    accounts = requests.get(f"{issuer}/v1/accounts", headers=bearer, timeout=10)
    assert accounts.status_code == 200, accounts.text
    account = accounts.json()["data"][0]
    balances = requests.get(f"{issuer}/v1/accounts/{account['id']}/balances", headers=bearer,
                            timeout=10)

    assert balances.status_code == 200, balances.text
    assert balances.json()["currency"] == account["currency"]


def test_a_code_verifier_that_does_not_match_is_refused():
    issuer = f"{BASE}/banks/{BANK}"
    person = live_browser(requests.Session(), BASE)
    callback = person.authorize(authorize_url("demo-public", pkce=Pkce(), scope="accounts"))

    token = requests.post(f"{issuer}/token", timeout=10,
                          data=redeem(query(callback.location)["code"], Pkce(), "demo-public"))

    assert token.status_code == 400
    assert token.json()["error"] == "invalid_grant"
