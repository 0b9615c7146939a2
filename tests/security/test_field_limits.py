"""Finding 10 of issue 9 (field limits): dynamic registration and pushed authorization
requests hold every field to a documented bound, and what is refused is not stored."""
from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import OAuthClient, PushedRequest
from sandbox.oauth import schemas
from tests.oauth.browser import BANK, CALLBACK, DEMO_SECRET, Pkce, authorize_url

URI = "https://app.example/cb"


def rows(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
        return count


@pytest.mark.parametrize(("metadata", "error"), [
    ({"redirect_uris": [f"{URI}/{n}" for n in range(10_000)]}, "invalid_redirect_uri"),
    ({"redirect_uris": [f"{URI}/{n}" for n in range(11)]}, "invalid_redirect_uri"),
    ({"redirect_uris": [URI + "/" + "a" * 2_000]}, "invalid_redirect_uri"),
    ({"redirect_uris": [URI], "client_name": "n" * 201}, "invalid_client_metadata"),
    ({"redirect_uris": [URI], "client_uri": "https://app.example/" + "a" * 2_000},
     "invalid_client_metadata"),
    ({"redirect_uris": [URI], "logo_uri": "https://app.example/" + "a" * 2_000},
     "invalid_client_metadata"),
    ({"redirect_uris": [URI], "scope": "openid " * 200}, "invalid_client_metadata"),
    ({"redirect_uris": [URI], "contacts": ["ops@app.example"] * 11}, "invalid_client_metadata"),
    ({"redirect_uris": [URI], "contacts": ["a" * 201]}, "invalid_client_metadata"),
    ({"redirect_uris": [URI], "software_id": "s" * 201}, "invalid_client_metadata"),
    ({"redirect_uris": [URI], "jwks": {"keys": [{"n": "x" * 20_001}]}},
     "invalid_client_metadata"),
])
def test_oversized_registration_is_refused_and_not_stored(app, live_server, metadata, error):
    before = rows(app, OAuthClient)
    answer = requests.post(f"{live_server}/banks/{BANK}/register", json=metadata, timeout=30)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["error"] == error
    assert rows(app, OAuthClient) == before


def test_registration_at_the_limits_is_accepted(live_server):
    answer = requests.post(f"{live_server}/banks/{BANK}/register", timeout=10, json={
        "redirect_uris": [f"{URI}/{n}".ljust(schemas.MAX_URI, "a") for n in range(10)],
        "client_name": "n" * schemas.MAX_NAME, "scope": "openid accounts"})
    assert answer.status_code == 201, answer.text[:300]


def push(base: str, **params) -> requests.Response:
    body = {"response_type": "code", "redirect_uri": CALLBACK, "scope": "openid accounts",
            **params}
    return requests.post(f"{base}/banks/{BANK}/par", auth=DEMO_SECRET, data=body, timeout=30)


@pytest.mark.parametrize("params", [
    {"state": "s" * 513},
    {"state": "s" * 600},
    {"nonce": "n" * 600},
    {"code_challenge": "c" * 129},
    {"scope": "openid " * 200},
    {"redirect_uri": CALLBACK + "/" + "a" * 2_000},
    {"login_hint": "h" * 2_001},
    {f"extra_{n}": "x" for n in range(30)},
])
def test_oversized_pushed_requests_are_refused_and_not_stored(app, live_server, params):
    before = rows(app, PushedRequest)
    answer = push(live_server, **params)
    assert answer.status_code == 400, answer.text[:300]
    assert answer.json()["error"] == "invalid_request"
    assert rows(app, PushedRequest) == before


def test_a_3_mb_state_is_refused(app, live_server):
    """Over the global request-size limit this is a 413; under it, the field limit's 400."""
    before = rows(app, PushedRequest)
    answer = push(live_server, state="s" * 3_000_000)
    assert answer.status_code in (400, 413)
    assert rows(app, PushedRequest) == before


def test_pushed_request_at_the_limits_is_accepted(live_server):
    answer = push(live_server, state="s" * schemas.MAX_STATE, nonce="n" * schemas.MAX_STATE)
    assert answer.status_code == 201, answer.text


def test_authorize_holds_the_same_limits(live_server):
    answer = requests.get(live_server + authorize_url(pkce=Pkce(), state="s" * 600),
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "state" in answer.text
