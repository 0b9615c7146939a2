"""A consent made through a standards dialect is one consent: the person sees it in Connected
apps with what it read, and removing it there ends it in the dialect too."""
from __future__ import annotations

import pytest

from tests.dialects.cdr.conftest import CDR_SCOPES
from tests.dialects.ukob.conftest import authorize, bearer, create
from tests.oauth.browser import client_browser
from tests.people.conftest import connections_url, post_form, sign_in

BANK = "harborline"
UKOB = f"/banks/{BANK}/open-banking/v4.0/aisp/accounts"
CDR = f"/banks/{BANK}/cds-au/v1/banking/accounts"


@pytest.fixture
def ob_consent(client):
    consent_id = create(client).get_json()["Data"]["ConsentId"]
    return consent_id, {**bearer(authorize(client, consent_id))}


@pytest.fixture
def cdr_arrangement(client):
    answer = client.post(f"/sandbox/banks/{BANK}/tokens", json={
        "username": "user_good", "scope": CDR_SCOPES},
        headers={"X-Sandbox-Admin-Key": "sandbox-admin"})
    body = answer.get_json()
    return body["consent_id"], {**bearer(body["access_token"]), "x-v": "3"}


@pytest.mark.parametrize(("made", "path"), [("ob_consent", UKOB), ("cdr_arrangement", CDR)])
def test_a_dialects_consent_is_in_connected_apps_and_removed_there(client, request, made, path):
    consent_id, headers = request.getfixturevalue(made)
    assert client.get(path, headers=headers).status_code == 200
    browser = client_browser(client)

    page = sign_in(browser, BANK)
    assert f'data-consent="{consent_id}"' in page.text
    assert "Read your account details once today" in page.text
    remove = f"{connections_url(BANK)}/{consent_id}/remove"
    post_form(browser, post_form(browser, page, remove), remove)

    assert client.get(path, headers=headers).status_code == 401
