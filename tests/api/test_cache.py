"""Serialised transactions are reused, yet a transaction that posts shows as posted at once."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.api.transactions.schemas import TransactionSchema
from sandbox.extensions import db
from sandbox.models import TransactionJson
from sandbox.services import clockctl
from tests.api.conftest import bearer, customer_of, walk

BANK = "juniper"


def test_every_served_transaction_is_exactly_its_documented_shape(world):
    schema = TransactionSchema()
    for bank in world["banks"]:
        for customer in bank["customers"]:
            for account in customer["accounts"]:
                for row in account["transactions"]:
                    shown = {k: v for k, v in row.items() if k != "receipt"}
                    assert schema.validate(shown) == {}
                    assert schema.dump(shown) == shown


def test_a_pending_transaction_shows_posted_once_the_clock_passes_its_posting(
        app, client, mint, world):
    account = next(a for a in customer_of(world, BANK, "user_good")["accounts"]
                   if any(t["status"] == "pending" for t in a["transactions"]))
    token = mint(BANK, "user_good", "transactions")
    url = f"/banks/{BANK}/v1/accounts/{account['id']}/transactions"
    before = {row["id"]: row for row in walk(client, url, token, limit=50)}
    pending = [tid for tid, row in before.items() if row["status"] == "pending"]
    with app.app_context():
        cached = set(db.session.scalars(sa.select(TransactionJson.transaction_id).where(
            TransactionJson.transaction_id.in_(list(before)))))
        assert cached == set(before)
        clockctl.move(advance="P10D")
    token = mint(BANK, "user_good", "transactions")
    after = {row["id"]: row for row in walk(client, url, token, limit=50)}
    for tid in pending:
        posted = client.get(f"/banks/{BANK}/v1/transactions/{tid}", headers=bearer(token))
        assert posted.get_json() == after[tid]
        assert after[tid]["status"] == "posted"
        assert after[tid]["posted_at"] and after[tid]["running_balance"]
    assert {tid: row for tid, row in after.items() if tid in before and tid not in pending} \
        == {tid: row for tid, row in before.items() if tid not in pending}
