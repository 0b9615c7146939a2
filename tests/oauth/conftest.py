"""Fixtures of the OAuth tests: a browser over the test client, a whole flow, a clock shift."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox import clock
from sandbox.extensions import db
from tests.oauth.browser import BANK, DEMO_SECRET, Browser, Pkce, authorize_url, client_browser, query, redeem


@pytest.fixture
def browser(client) -> Browser:
    """A browser over this test's client."""
    return client_browser(client)


@pytest.fixture
def flow(client, browser):
    """Run an authorization and redeem the code: ``flow(...) -> (token_response, code)``."""

    def run(client_id="demo-app", scope="openid profile offline_access accounts balances",
            username="user_good", bank=BANK, **extra):
        pkce = Pkce()
        url = authorize_url(client_id, scope=scope, pkce=pkce, bank=bank, **extra)
        page = browser.authorize(url, username)
        code = query(page.location)["code"]
        answer = client.post(f"/banks/{bank}/token", data=redeem(code, pkce, client_id),
                             auth=DEMO_SECRET if client_id == "demo-app" else None)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json(), code, pkce

    return run


@pytest.fixture
def clock_shift(app):
    """Move the frozen sandbox clock forward for the rest of the test: ``clock_shift(s)``."""
    with app.app_context():
        start, _ = clock.read(db.session)

    def shift(seconds: float) -> None:
        with app.app_context():
            now, _ = clock.read(db.session)
            clock.write(db.session, now + timedelta(seconds=seconds), frozen=True)
            db.session.commit()

    yield shift
    with app.app_context():
        clock.write(db.session, start, frozen=True)
        db.session.commit()
