"""Fixtures of the UK Open Banking dialect's tests: its published document as a validator,
client-credentials tokens, OB consents, and consents authorized through the bank's pages."""
from __future__ import annotations

import pytest

from sandbox.dialects.ukob import DIALECT
from sandbox.dialects import published as _published


def published() -> dict:
    return _published(DIALECT.documents["ukob.json"][1])
from sandbox.dialects.ukob.protocol import PATH
from tests.api.conftest import mint, world  # noqa: F401  (fixtures)
from tests.dialects.conftest import published_validator
from tests.oauth.browser import DEMO_SECRET, Pkce, authorize_url, client_browser, query, redeem

BANK = "harborline"
BASE = f"/banks/{BANK}{PATH}"
ALL = ["ReadAccountsDetail", "ReadBalances", "ReadTransactionsDetail",
       "ReadTransactionsCredits", "ReadTransactionsDebits", "ReadParty", "ReadPartyPSU"]


@pytest.fixture(scope="session")
def valid():
    """``valid(response)``: the response conforms to the published 4.0 document."""
    return published_validator(published(), "/banks/{bank_id}" + PATH)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def service_token(client, bank: str = BANK) -> str:
    """A client-credentials token of demo-app."""
    return client.post(f"/banks/{bank}/token", data={"grant_type": "client_credentials"},
                       auth=DEMO_SECRET).get_json()["access_token"]


def consent_body(permissions: list[str], **data) -> dict:
    return {"Data": {"Permissions": permissions, **data}, "Risk": {}}


def create(client, permissions: list[str] = ALL, bank: str = BANK, **data):
    """``POST /account-access-consents`` as demo-app."""
    return client.post(f"/banks/{bank}{PATH}/account-access-consents",
                       json=consent_body(permissions, **data),
                       headers=bearer(service_token(client, bank)))


def authorize(client, consent_id: str, username: str = "user_good",
              decision: str = "approve", bank: str = BANK) -> str | None:
    """Authorize the consent through the bank's sign-in and consent pages; answers the
    access token (None when the customer declined)."""
    pkce = Pkce()
    page = client_browser(client).authorize(
        authorize_url(pkce=pkce, scope="openid", consent_id=consent_id, bank=bank),
        username, decision=decision)
    code = query(page.location).get("code")
    if code is None:
        return None
    return client.post(f"/banks/{bank}/token", data=redeem(code, pkce),
                       auth=DEMO_SECRET).get_json()["access_token"]


@pytest.fixture
def reading(client):
    """``reading(permissions, **data)``: an authorized OB consent's id and access token."""

    def make(permissions: list[str] = ALL, **data) -> tuple[str, str]:
        consent_id = create(client, permissions, **data).get_json()["Data"]["ConsentId"]
        return consent_id, authorize(client, consent_id)

    return make
