"""Several servers on one PostgreSQL database (DESIGN §6): two ``sandbox serve`` processes,
each with its own port, gunicorn workers, webhook worker and control socket, behave as one
sandbox. Nothing that must be shared lives in a process."""
from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import requests

from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.conftest import TEST_MONTHS
from tests.services.webhooks.conftest import Receiver
from sandbox.testing.server import sandbox_serve
from tests.oauth.browser import BANK, CALLBACK, Pkce, authorize_url, live_browser, query, redeem

pytestmark = pytest.mark.postgres_only(
    reason="hosts share one database only through PostgreSQL; SQLite is one machine's file")

DEMO = {"Authorization": "Basic " + base64.b64encode(b"demo-app:demo-secret").decode()}
EVENTS = 200
#: Events fired while the receiver holds the first POSTs: more than one worker's pass claims
#: (10), so the other worker finds some left.
HELD_EVENTS = 20
#: Seconds a webhook POST may take (a held one must be answered well within it).
WEBHOOK_TIMEOUT = 10
RACERS = 6


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    """Two ``sandbox serve`` over the module's database: (one, two) base URLs."""
    env = {"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS),
           "SANDBOX_WEBHOOK_TIMEOUT": str(WEBHOOK_TIMEOUT)}
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("one"),
                       env=env) as one, \
            sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"],
                          tmp_path_factory.mktemp("two"), env=env) as two:
        yield one, two


def token(base: str, **form) -> requests.Response:
    return requests.post(f"{base}/banks/{BANK}/token", data=form, headers=DEMO, timeout=30)


def accounts(base: str, access_token: str) -> requests.Response:
    return requests.get(f"{base}/banks/{BANK}/v1/accounts",
                        headers={"Authorization": f"Bearer {access_token}"}, timeout=30)


def signed_in_code(base: str, pkce: Pkce) -> str:
    """An authorization code from ``base``'s pages, as a person approving would get it."""
    answer = live_browser(requests.Session(), base).authorize(authorize_url(pkce=pkce))
    assert answer.status == 302 and answer.location.startswith(CALLBACK), answer.text
    return query(answer.location)["code"]


def test_a_code_from_one_is_redeemed_at_the_other_and_refresh_rotates_across(servers):
    """Code and refresh token are rows: any server redeems them, and a rotated refresh token
    replayed at the other server is refused and revokes its family everywhere."""
    one, two = servers
    pkce = Pkce()
    issued = token(two, **redeem(signed_in_code(one, pkce), pkce))
    assert issued.status_code == 200, issued.text
    assert accounts(one, issued.json()["access_token"]).status_code == 200

    rotated = token(one, grant_type="refresh_token", refresh_token=issued.json()["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    assert accounts(two, rotated.json()["access_token"]).status_code == 200
    replayed = token(two, grant_type="refresh_token",
                     refresh_token=issued.json()["refresh_token"])
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"
    assert accounts(one, rotated.json()["access_token"]).status_code == 401, \
        "the replay at one server revokes the family at the other"


def test_a_consent_revoked_through_one_is_refused_at_the_other(servers):
    one, two = servers
    minted = SandboxAdmin(http_transport(one)).token(BANK, "user_good", "accounts")
    assert accounts(two, minted.access_token).status_code == 200
    client = token(one, grant_type="client_credentials").json()["access_token"]
    revoked = requests.delete(f"{one}/banks/{BANK}/consents/{minted.consent_id}",
                              headers={"Authorization": f"Bearer {client}"}, timeout=30)
    assert revoked.status_code in (200, 204), revoked.text
    assert accounts(two, minted.access_token).status_code == 401


def test_transfers_raced_through_both_have_the_serial_outcome(servers):
    one, two = servers
    made = SandboxAdmin(http_transport(one)).create_customer(BANK, username="racer", accounts=[
        {"type": "checking", "balances": {"current": "100.00"}},
        {"type": "savings", "balances": {"current": "0.00"}}],
        consents=[{"scope": "accounts balances manage"}])
    ids = {account["type"]: account["id"] for account in made["accounts"]}
    auth = {"Authorization": f"Bearer {made['tokens'][0]['access_token']}"}
    body = {"from_account_id": ids["checking"], "to_account_id": ids["savings"],
            "amount": "60.00"}

    def send(number: int) -> requests.Response:
        base = (one, two)[number % 2]
        return requests.post(f"{base}/banks/{BANK}/v1/transfers", json=body, headers=auth,
                             timeout=60)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(send, range(RACERS)))
    assert sorted(answer.status_code for answer in answers) == [201] + [422] * (RACERS - 1)
    for base in (one, two):
        current = requests.get(f"{base}/banks/{BANK}/v1/accounts/{ids['checking']}/balances",
                               headers=auth, timeout=30).json()["current"]
        assert Decimal(current) == Decimal("40.00")


def test_events_raised_through_both_are_delivered_once_by_the_two_workers(servers):
    one, two = servers
    receiver = Receiver()
    try:
        admin = SandboxAdmin(http_transport(one))
        admin.token(BANK, "user_good", "accounts transactions")
        client = token(one, grant_type="client_credentials").json()["access_token"]
        hook = requests.post(f"{one}/banks/{BANK}/v1/webhooks",
                             json={"url": receiver.url, "events": ["transaction.created"]},
                             headers={"Authorization": f"Bearer {client}"}, timeout=30)
        assert hook.status_code == 201, hook.text
        fire = {"type": "transaction.created", "bank_id": BANK, "client_id": "demo-app",
                "username": "user_good"}
        # A worker POSTs its claims one at a time: while the first POST is held, the next
        # to arrive comes from the other worker, so both have claimed before any is answered
        # (unheld, one worker polling back to back could drain every event alone).
        receiver.hold = True
        for number in range(EVENTS):
            fired = requests.post(f"{(one, two)[number % 2]}/sandbox/webhooks/fire", json=fire,
                                  headers={"X-Sandbox-Admin-Key": "sandbox-admin"}, timeout=30)
            assert fired.status_code in (200, 201, 202), fired.text
            if number == HELD_EVENTS:
                receiver.wait_for(2, timeout=WEBHOOK_TIMEOUT - 4)
                receiver.release()
        received = receiver.wait_for(EVENTS, timeout=120)
        time.sleep(3)
        received = receiver.wait_for(EVENTS)
    finally:
        receiver.close()

    assert len(received) == EVENTS
    assert len({request["headers"]["Sandbank-Event-Id"] for request in received}) == EVENTS
    logged = requests.get(f"{two}/sandbox/webhooks/deliveries",
                          params={"subscription_id": hook.json()["id"], "limit": EVENTS},
                          headers={"X-Sandbox-Admin-Key": "sandbox-admin"},
                          timeout=30).json()["data"]
    assert len(logged) == EVENTS
    assert {delivery["status"] for delivery in logged} == {"delivered"}
    assert [len(delivery["attempts"]) for delivery in logged] == [1] * EVENTS
    workers = {delivery["attempts"][0]["worker"] for delivery in logged}
    assert len(workers) == 2, f"both servers' workers deliver: {workers}"


def test_the_clock_moved_through_one_is_the_clock_of_the_other(servers):
    one, two = servers
    first, second = SandboxAdmin(http_transport(one)), SandboxAdmin(http_transport(two))
    before = instant(second.clock()["now"])
    moved = instant(first.advance("P2D")["now"])
    assert moved - before >= timedelta(days=2)
    assert abs(instant(second.clock()["now"]) - moved) < timedelta(minutes=1)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_reset_through_one_leaves_the_other_serving(servers):
    one, two = servers
    SandboxAdmin(http_transport(one)).reset()
    assert requests.get(f"{two}/readyz", timeout=30).status_code == 200
    minted = SandboxAdmin(http_transport(two)).token(BANK, "user_good", "accounts transactions")
    listed = accounts(two, minted.access_token)
    assert listed.status_code == 200 and listed.json()["data"]
    account = listed.json()["data"][0]["id"]
    page = requests.get(f"{two}/banks/{BANK}/v1/accounts/{account}/transactions",
                        headers=minted.headers, timeout=30)
    assert page.status_code == 200 and page.json()["data"]
