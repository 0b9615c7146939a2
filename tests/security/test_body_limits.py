"""Finding 10 of issue 9 (unbounded input): a request body over the limit is a 413
problem+json and nothing of it is stored; the control plane takes larger scenario documents."""
from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.limits import MAX_BODY_BYTES
from sandbox.models import OAuthClient, PushedRequest
from tests.oauth.browser import BANK, CALLBACK, DEMO_SECRET, Pkce

ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}
BIG = "x" * (3 * 1024 * 1024)


def rows(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
        return count


def assert_too_large(answer: requests.Response) -> None:
    assert answer.status_code == 413, answer.text[:300]
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 413


@pytest.mark.parametrize(("path", "send"), [
    ("token", lambda url: requests.post(url, data={"grant_type": "client_credentials",
                                                   "padding": "p" * (5 * 1024 * 1024)},
                                        auth=DEMO_SECRET, timeout=30)),
    ("register", lambda url: requests.post(url, json={"redirect_uris": [CALLBACK],
                                                      "client_name": BIG}, timeout=30)),
    ("par", lambda url: requests.post(url, auth=DEMO_SECRET, timeout=30, data={
        "response_type": "code", "client_id": DEMO_SECRET[0], "redirect_uri": CALLBACK,
        "scope": "openid accounts", "code_challenge": Pkce().challenge,
        "code_challenge_method": "S256", "state": BIG})),
])
def test_an_oversized_body_is_a_413_and_stores_nothing(app, live_server, path, send):
    clients, pushed = rows(app, OAuthClient), rows(app, PushedRequest)
    assert_too_large(send(f"{live_server}/banks/{BANK}/{path}"))
    assert (rows(app, OAuthClient), rows(app, PushedRequest)) == (clients, pushed)


def test_the_control_plane_takes_a_scenario_larger_than_the_public_limit(live_server):
    """A scenario document over the public limit still loads through the admin key."""
    transactions = [{"amount": f"-{n % 90 + 3}.{n % 100:02d}", "authorized_at": f"now-PT{n + 1}M",
                     "description": f"PURCHASE {n:06d} " + "X" * 60} for n in range(9_000)]
    scenario = {"banks": [{"id": BANK, "customers": [{
        "username": "qa_large", "accounts": [{"type": "checking",
                                              "transactions": transactions}]}]}]}
    answer = requests.post(f"{live_server}/sandbox/fixtures", json=scenario, headers=ADMIN,
                           timeout=120)
    assert len(answer.request.body) > MAX_BODY_BYTES
    assert answer.status_code == 201, answer.text[:300]
    assert answer.json()["counts"]["transactions"] == 9_000
