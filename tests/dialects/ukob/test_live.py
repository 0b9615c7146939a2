"""The whole UK Open Banking flow against ``sandbox serve`` (two gunicorn workers): the client
creates an account-access consent, the customer authorizes it on the bank's pages, the
client reads, deletes the consent, and every read is refused from then on."""
from __future__ import annotations

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from sandbox.dialects.ukob.protocol import PATH
from tests.oauth.browser import BANK, CALLBACK, live_browser

PERMISSIONS = ["ReadAccountsDetail", "ReadBalances", "ReadTransactionsDetail",
               "ReadTransactionsCredits", "ReadTransactionsDebits", "ReadPartyPSU"]


def test_consent_authorize_read_delete_refused(live_server):
    issuer = f"{live_server}/banks/{BANK}"
    base = issuer + PATH
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert metadata["api_dialects"]["ukob"]["base_url"] == base

    service = OAuth2Session("demo-app", "demo-secret")
    service.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    created = service.post(f"{base}/account-access-consents", json={
        "Data": {"Permissions": PERMISSIONS}, "Risk": {}},
        headers={"x-fapi-interaction-id": "93bac548-d2de-4546-b106-880a5018460d"})
    assert created.status_code == 201
    assert created.headers["x-fapi-interaction-id"] == "93bac548-d2de-4546-b106-880a5018460d"
    consent_id = created.json()["Data"]["ConsentId"]
    assert created.json()["Data"]["Status"] == "AWAU"

    oauth = OAuth2Session("demo-app", "demo-secret", scope="openid", redirect_uri=CALLBACK,
                          code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = oauth.create_authorization_url(metadata["authorization_endpoint"],
                                                code_verifier=verifier, consent_id=consent_id)
    callback = live_browser(requests.Session(), live_server).authorize(url, "user_good")
    oauth.fetch_token(metadata["token_endpoint"], authorization_response=callback.location,
                      code_verifier=verifier, state=state)
    assert service.get(f"{base}/account-access-consents/{consent_id}").json()[
        "Data"]["Status"] == "AUTH"

    accounts = oauth.get(f"{base}/accounts")
    assert accounts.status_code == 200
    account = accounts.json()["Data"]["Account"][0]["AccountId"]
    for path in ("/balances", f"/accounts/{account}/transactions", "/party"):
        assert oauth.get(base + path).status_code == 200, path

    assert service.delete(f"{base}/account-access-consents/{consent_id}").status_code == 204
    assert service.get(f"{base}/account-access-consents/{consent_id}").json()[
        "Data"]["Status"] == "CANC"
    for path in ("/accounts", "/balances", f"/accounts/{account}/transactions", "/party"):
        refused = oauth.get(base + path)
        assert refused.status_code == 401, path
        assert refused.json()["Errors"][0]["ErrorCode"] == "U042"
