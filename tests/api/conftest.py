"""Fixtures of the data-API tests: tokens minted as the OAuth flow stores them, the export of
the same world, and helpers that walk pages."""
from __future__ import annotations

import io
import json

import pytest

from sandbox import clock, unit_of_work
from sandbox.extensions import db
from sandbox.services.export import export_world
from sandbox.oauth.minting import mint_token

#: Every data scope.
ALL_SCOPES = "accounts balances transactions receipts shipments identity"


@pytest.fixture(scope="module")
def mint(app):
    """``mint(bank, username, scope=ALL_SCOPES, accounts=None, **consent)`` → access token."""

    def make(bank_id: str = "harborline", username: str = "user_good",
             scope: str = ALL_SCOPES, accounts: list[str] | None = None, **consent) -> str:
        with app.app_context(), unit_of_work.transaction() as session:
            return mint_token(session, bank_id, "demo-app", username, scope, accounts,
                              now=clock.now(), **consent)["access_token"]

    return make


@pytest.fixture(scope="module")
def world(app) -> dict:
    """``sandbox export`` of the module's world, parsed."""
    with app.app_context():
        out = io.StringIO()
        export_world(db.session, out, now=clock.now())
        db.session.remove()
    return json.loads(out.getvalue())


def bearer(token: str) -> dict:
    """The Authorization header of ``token``."""
    return {"Authorization": f"Bearer {token}"}


def customer_of(world: dict, bank_id: str, username: str) -> dict:
    """The exported customer ``username`` of ``bank_id``."""
    bank = next(b for b in world["banks"] if b["id"] == bank_id)
    return next(c for c in bank["customers"] if c["username"] == username)


def walk(client, url: str, token: str, **params) -> list[dict]:
    """Every row of a list, following ``next_cursor`` to the end."""
    rows, cursor = [], None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(url, query_string=query, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        rows += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows
