"""Tokens minted as the OAuth flow stores them, judged by the sandbox clock."""
from __future__ import annotations

import pytest

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Consent
from sandbox.services import clockctl
from sandbox.oauth.minting import MintError, mint_token
from sandbox.unit_of_work import transaction
from tests.api.conftest import bearer


@pytest.mark.parametrize(("bank", "lifetime", "consent_days"), [
    ("juniper", 300, 90), ("harborline", 3600, 365), ("copperleaf", 1800, 180),
])
def test_a_minted_token_lives_as_long_as_the_bank_says(app, bank, lifetime, consent_days):
    with app.app_context():
        plain = mint_token(db.session, bank, "demo-app", "user_good", "accounts",
                           now=clock.now())
        offline = mint_token(db.session, bank, "demo-app", "user_good",
                             "accounts offline_access", now=clock.now())
        consent = db.session.get(Consent, plain["consent_id"])
        assert (consent.expires_at - consent.created_at).days == consent_days
        assert consent.status == "authorized"
    assert plain["expires_in"] == offline["expires_in"] == lifetime
    assert plain["refresh_token"] is None and offline["refresh_token"]
    assert len(plain["access_token"]) == 48
    assert plain["token_type"] == "Bearer"


@pytest.mark.parametrize(("args", "message"), [
    (("nobank", "demo-app", "user_good", "accounts"), "no bank"),
    (("juniper", "no-such-client", "user_good", "accounts"), "no client"),
    (("juniper", "demo-app", "nobody", "accounts"), "no customer"),
    (("juniper", "demo-app", "user_good", "accounts", ["acc_not_hers"]), "no account"),
])
def test_minting_for_something_that_does_not_exist_says_what(app, args, message):
    with app.app_context(), pytest.raises(MintError, match=message):
        mint_token(db.session, *args, now=clock.now())


def test_a_token_stops_opening_the_api_when_the_sandbox_clock_passes_its_expiry(
        app, client, mint):
    token = mint("juniper", "user_good", "accounts")
    assert client.get("/banks/juniper/v1/accounts", headers=bearer(token)).status_code == 200
    with app.app_context():
        with transaction() as session:
            clockctl.move(session, advance="PT299S")
    assert client.get("/banks/juniper/v1/accounts", headers=bearer(token)).status_code == 200
    with app.app_context():
        with transaction() as session:
            clockctl.move(session, advance="PT2S")
    response = client.get("/banks/juniper/v1/accounts", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["detail"] == "The access token has expired."
