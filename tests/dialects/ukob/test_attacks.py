"""Attacks on the dialect against a live server: another client's consent can be neither
read nor revoked, a customer's token cannot create consents, a token of one consent cannot
read an account of another, and instants out of range are refused, not a server error."""
from __future__ import annotations

import pytest
import requests

from sandbox.dialects.ukob.protocol import PATH
from tests.oauth.browser import BANK

PERMISSIONS = {"Data": {"Permissions": ["ReadAccountsBasic", "ReadBalances"]}, "Risk": {}}


def service(live_server, credentials=("demo-app", "demo-secret")) -> dict:
    token = requests.post(f"{live_server}/banks/{BANK}/token",
                          data={"grant_type": "client_credentials"}, auth=credentials,
                          timeout=10).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def base(live_server) -> str:
    return f"{live_server}/banks/{BANK}{PATH}"


@pytest.fixture(scope="module")
def intruder(live_server) -> dict:
    """Another registered client's client-credentials token."""
    registered = requests.post(f"{live_server}/banks/{BANK}/register", json={
        "client_name": "Intruder", "grant_types": ["client_credentials"]}, timeout=10).json()
    return service(live_server, (registered["client_id"], registered["client_secret"]))


def test_another_clients_consent_can_be_neither_read_nor_revoked(live_server, base, intruder):
    owner = service(live_server)
    consent_id = requests.post(f"{base}/account-access-consents", json=PERMISSIONS,
                               headers=owner, timeout=10).json()["Data"]["ConsentId"]
    read = requests.get(f"{base}/account-access-consents/{consent_id}", headers=intruder,
                        timeout=10)
    deleted = requests.delete(f"{base}/account-access-consents/{consent_id}", headers=intruder,
                              timeout=10)
    assert (read.status_code, deleted.status_code) == (400, 400)
    assert deleted.json()["Errors"][0]["ErrorCode"] == "U011"
    still = requests.get(f"{base}/account-access-consents/{consent_id}", headers=owner,
                         timeout=10).json()
    assert still["Data"]["Status"] == "AWAU"


def test_a_customers_token_cannot_create_or_read_consents(live_server, base):
    minted = requests.post(f"{live_server}/sandbox/banks/{BANK}/tokens",
                           json={"username": "user_good", "scope": "accounts"},
                           headers={"X-Sandbox-Admin-Key": "sandbox-admin"}, timeout=10).json()
    customer = {"Authorization": f"Bearer {minted['access_token']}"}
    created = requests.post(f"{base}/account-access-consents", json=PERMISSIONS,
                            headers=customer, timeout=10)
    assert created.status_code == 403
    read = requests.get(f"{base}/account-access-consents/{minted['consent_id']}",
                        headers=customer, timeout=10)
    assert read.status_code == 403


def test_a_token_reads_only_its_consents_accounts(live_server, base):
    admin = {"X-Sandbox-Admin-Key": "sandbox-admin"}
    mine = requests.post(f"{live_server}/sandbox/banks/{BANK}/tokens",
                         json={"username": "user_good", "scope": "accounts balances"},
                         headers=admin, timeout=10).json()
    theirs = requests.post(f"{live_server}/sandbox/banks/{BANK}/tokens",
                           json={"username": "user_overdrawn", "scope": "accounts"},
                           headers=admin, timeout=10).json()
    victim = requests.get(f"{base}/accounts", timeout=10, headers={
        "Authorization": f"Bearer {theirs['access_token']}"}).json()["Data"]["Account"][0]
    for path in ("", "/balances"):
        answer = requests.get(f"{base}/accounts/{victim['AccountId']}{path}", timeout=10,
                              headers={"Authorization": f"Bearer {mine['access_token']}"})
        assert answer.status_code == 400, path
        assert victim["AccountId"] not in answer.text.replace(
            answer.json()["Errors"][0]["Message"], "")
    other_bank = requests.get(f"{live_server}/banks/juniper{PATH}/accounts", timeout=10,
                              headers={"Authorization": f"Bearer {mine['access_token']}"})
    assert other_bank.status_code == 401


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_instants_out_of_range_are_refused_not_a_server_error(live_server, base, instant):
    owner = service(live_server)
    body = {"Data": {"Permissions": ["ReadBalances"], "ExpirationDateTime": instant},
            "Risk": {}}
    answer = requests.post(f"{base}/account-access-consents", json=body, headers=owner,
                           timeout=10)
    assert answer.status_code == 400
    assert answer.json()["Errors"][0]["Path"] == "Data.ExpirationDateTime"
    v1 = requests.post(f"{live_server}/banks/{BANK}/consents", headers=owner, timeout=10,
                       json={"scope": "accounts", "expires_at": instant})
    assert v1.status_code == 422
