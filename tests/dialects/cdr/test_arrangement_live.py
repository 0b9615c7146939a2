"""The CDR way of authorizing, on a live server (gunicorn, two workers), through the bank's
real pages: PAR → authorize → token with ``cdr_arrangement_id`` → reads → arrangement
revocation → reads refused. A CDR scope that was not pushed is refused."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.dialects.cdr.conftest import CDR_SCOPES, customer_of, world  # noqa: F401
from tests.oauth.browser import BANK, CALLBACK, DEMO_SECRET, live_browser, query

CDR = {"x-v": "3", "x-min-v": "1"}


@pytest.fixture(scope="module")
def issuer(live_server) -> str:
    return f"{live_server}/banks/{BANK}"


@pytest.fixture
def person(live_server):
    return live_browser(requests.Session(), live_server)


def push(issuer: str, verifier: str, state: str, scope: str = CDR_SCOPES) -> str:
    pushed = requests.post(f"{issuer}/par", auth=DEMO_SECRET, timeout=10, data={
        "response_type": "code", "redirect_uri": CALLBACK, "scope": scope, "state": state,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256"})
    assert pushed.status_code == 201, pushed.text
    return pushed.json()["request_uri"]


def arrangement(issuer: str, person, accounts: list[str] | None = None) -> dict:
    """A token response of the whole CDR flow for user_good (sharing ``accounts``, or every
    account)."""
    verifier, state = generate_token(48), generate_token(16)
    request_uri = push(issuer, verifier, state)
    callback = person.authorize(
        f"{issuer}/authorize?{urlencode({'client_id': 'demo-app', 'request_uri': request_uri})}",
        accounts=accounts)
    assert callback.status == 302 and query(callback.location)["state"] == state
    token = requests.post(f"{issuer}/token", auth=DEMO_SECRET, timeout=10, data={
        "grant_type": "authorization_code", "code": query(callback.location)["code"],
        "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    return token.json()


def read(issuer: str, token: str, path: str) -> requests.Response:
    return requests.get(f"{issuer}/cds-au/v1{path}", timeout=10,
                        headers={"Authorization": f"Bearer {token}", **CDR})


def test_the_cdr_flow_from_par_to_arrangement_revocation(issuer, person):
    token = arrangement(issuer, person)
    arrangement_id = token["cdr_arrangement_id"]
    accounts = read(issuer, token["access_token"], "/banking/accounts")
    assert accounts.status_code == 200
    first = accounts.json()["data"]["accounts"][0]["accountId"]
    assert read(issuer, token["access_token"], f"/banking/accounts/{first}/balance").ok
    assert read(issuer, token["access_token"], "/common/customer").ok

    stranger = requests.post(f"{issuer}/arrangements/revoke", timeout=10,
                             data={"cdr_arrangement_id": arrangement_id})
    revoked = requests.post(f"{issuer}/arrangements/revoke", auth=DEMO_SECRET, timeout=10,
                            data={"cdr_arrangement_id": arrangement_id})
    again = requests.post(f"{issuer}/arrangements/revoke", auth=DEMO_SECRET, timeout=10,
                          data={"cdr_arrangement_id": arrangement_id})

    assert stranger.status_code == 401
    assert revoked.status_code == 204
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == (
        "urn:au-cds:error:cds-all:Authorisation/InvalidArrangement")
    refused = read(issuer, token["access_token"], "/banking/accounts")
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == (
        "urn:au-cds:error:cds-all:Authorisation/InvalidConsent")
    introspected = requests.post(f"{issuer}/introspect", auth=DEMO_SECRET, timeout=10,
                                 data={"token": token["refresh_token"] if "refresh_token"
                                       in token else token["access_token"]}).json()
    assert introspected == {"active": False}


def test_a_cdr_scope_must_be_pushed(issuer, person):
    verifier = generate_token(48)
    url = f"{issuer}/authorize?" + urlencode({
        "response_type": "code", "client_id": "demo-app", "redirect_uri": CALLBACK,
        "scope": "bank:accounts.basic:read", "state": "s",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256"})

    refused = person.open(url)

    assert refused.status == 302
    assert query(refused.location)["error"] == "invalid_request"
    assert "par" in query(refused.location)["error_description"]


def test_the_arrangement_shows_only_the_accounts_the_person_chose(issuer, person,
                                                                   world):  # noqa: F811
    mine = customer_of(world, "harborline", "user_good")["accounts"]
    other = customer_of(world, "harborline", "user_mfa")["accounts"][0]
    shared, kept = mine[0], mine[1]
    token = arrangement(issuer, person, [shared["id"]])["access_token"]

    listed = read(issuer, token, "/banking/accounts").json()["data"]["accounts"]
    balances = read(issuer, token, "/banking/accounts/balances").json()["data"]["balances"]
    hidden = [read(issuer, token, f"/banking/accounts/{account['id']}/balance")
              for account in (kept, other)]
    foreign_row = read(issuer, token, f"/banking/accounts/{shared['id']}/transactions/"
                                      f"{kept['transactions'][0]['id']}")

    assert [a["accountId"] for a in listed] == [shared["id"]]
    assert [b["accountId"] for b in balances] == [shared["id"]]
    assert [answer.status_code for answer in hidden] == [404, 404]
    assert hidden[0].json()["errors"] == hidden[1].json()["errors"]
    assert foreign_row.status_code == 404
