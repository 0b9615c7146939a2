"""Serialised transactions are reused, yet a transaction that posts shows as posted at once."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox.api.transactions.schemas import TransactionSchema
from sandbox.extensions import db
from sandbox.models import TransactionJson
from sandbox.services import clockctl
from sandbox.unit_of_work import transaction
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
        with transaction() as session:
            clockctl.move(session, advance="P10D")
    token = mint(BANK, "user_good", "transactions")
    after = {row["id"]: row for row in walk(client, url, token, limit=50)}
    for tid in pending:
        posted = client.get(f"/banks/{BANK}/v1/transactions/{tid}", headers=bearer(token))
        assert posted.get_json() == after[tid]
        assert after[tid]["status"] == "posted"
        assert after[tid]["posted_at"] and after[tid]["running_balance"]
    assert {tid: row for tid, row in after.items() if tid in before and tid not in pending} \
        == {tid: row for tid, row in before.items() if tid not in pending}


def test_json_stored_from_an_older_running_balance_is_never_served(app, client, mint, world):
    """A reader that serialised rows before a back-dated injection shifted their running
    balances may store its JSON after the shift: the page still shows the new balances."""
    account = next(a for a in customer_of(world, BANK, "user_good")["accounts"]
                   if a["type"] == "checking")
    token = mint(BANK, "user_good", "transactions")
    url = f"/banks/{BANK}/v1/accounts/{account['id']}/transactions"
    before = walk(client, url, token, limit=50)
    with app.app_context():
        stale = [(row.transaction_id, row.status, row.running_balance, row.body)
                 for row in db.session.scalars(sa.select(TransactionJson).where(
                     TransactionJson.transaction_id.in_([r["id"] for r in before])))]
    injected = client.post(
        f"/sandbox/banks/{BANK}/accounts/{account['id']}/transactions",
        json={"transactions": [{"amount": "-100.00", "description": "BACK-DATED FEE",
                                "status": "posted", "authorized_at": "now-P20D"}]},
        headers={"X-Sandbox-Admin-Key": "sandbox-admin"})
    assert injected.status_code == 201, injected.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.delete(TransactionJson))
        db.session.execute(sa.insert(TransactionJson), [
            {"transaction_id": tid, "status": status, "running_balance": running, "body": body}
            for tid, status, running, body in stale])
        db.session.commit()

    after = {row["id"]: row for row in walk(client, url, mint(BANK, "user_good", "transactions"),
                                            limit=50)}
    shifted = [row for row in before if row["running_balance"] is not None
               and row["authorized_at"] > before[-1]["authorized_at"]
               and row["id"] in after and after[row["id"]]["running_balance"]
               != row["running_balance"]]
    assert shifted, "the back-dated row should shift later running balances"
    for row in shifted:
        assert float(after[row["id"]]["running_balance"]) == \
            float(row["running_balance"]) - 100.0
