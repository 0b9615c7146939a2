"""Attacks on Connected apps against a live server: removing another customer's access, and
replaying the removal without the CSRF token."""
from __future__ import annotations

import requests

from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.oauth.browser import live_browser
from tests.people.conftest import connections_url, forms, sign_in

BANK = "harborline"


def data_status(base: str, token) -> int:
    return requests.get(f"{base}/banks/{BANK}/v1/accounts", headers=token.headers,
                        timeout=30).status_code


def test_a_signed_in_customer_cannot_remove_anothers_access(live_server):
    admin = SandboxAdmin(http_transport(live_server))
    victim = admin.token(BANK, "user_overdrawn", "accounts")
    elsewhere = admin.token("juniper", "user_good", "accounts")
    attacker = live_browser(requests.Session(), live_server)
    page = sign_in(attacker)
    csrf = forms(page)[f"{connections_url(BANK)}/sign-out"].fields[0][1]

    for consent_id in (victim.consent_id, elsewhere.consent_id):
        for confirm in ("", "yes"):
            answer = attacker.send("POST", f"{connections_url(BANK)}/{consent_id}/remove",
                                   [("csrf_token", csrf), ("confirm", confirm)])
            assert answer.status == 404, answer.text
    assert data_status(live_server, victim) == 200
    assert requests.get(f"{live_server}/banks/juniper/v1/accounts", headers=elsewhere.headers,
                        timeout=30).status_code == 200


def test_a_removal_replayed_without_csrf_or_cookie_changes_nothing(live_server):
    admin = SandboxAdmin(http_transport(live_server))
    own = admin.token(BANK, "user_good", "accounts")
    person = live_browser(requests.Session(), live_server)
    page = sign_in(person)
    url = f"{connections_url(BANK)}/{own.consent_id}/remove"
    csrf = forms(page)[url].fields[0][1]

    without_token = person.send("POST", url, [("confirm", "yes")])
    cookieless = live_browser(requests.Session(), live_server).send(
        "POST", url, [("csrf_token", csrf), ("confirm", "yes")])

    assert without_token.status == 400 and "CSRF" in without_token.text
    assert cookieless.status == 400
    assert data_status(live_server, own) == 200
    done = person.send("POST", url, [("csrf_token", csrf), ("confirm", "yes")])
    assert done.status == 303
    assert data_status(live_server, own) == 401
