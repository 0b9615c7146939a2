"""``export_world``: the format of DESIGN.md §5, sorted and stable, whole world or one bank."""
from __future__ import annotations

import io
import json

import pytest
from tests.synth.world_checks import check_world

from sandbox import clock
from sandbox.extensions import db
from sandbox.services.export import UnknownBank, export_world

FIELDS = {
    "bank": {"id", "name", "issuer", "routing_number", "brand", "products", "customers"},
    "customer": {"id", "username", "name", "email", "phone", "address", "home", "accounts"},
    "account": {"id", "bank_id", "type", "name", "nickname", "mask", "currency", "status",
                "opened_on", "routing_number", "balances", "transactions"},
    "card": {"credit_limit", "statement_day", "minimum_payment", "payment_due_on"},
    "balances": {"current", "available", "as_of", "currency"},
    "transaction": {"id", "account_id", "amount", "currency", "status", "authorized_at",
                    "posted_at", "description", "category", "channel", "merchant", "location",
                    "running_balance", "counterparty_account_id", "receipt_id", "receipt"},
    "receipt": {"id", "transaction_id", "merchant", "issued_at", "currency", "line_items",
                "subtotal", "tax", "tip", "shipping", "total", "order_id", "shipments"},
    "shipment": {"id", "order_id", "receipt_id", "carrier", "tracking_number", "status",
                 "shipped_at", "estimated_delivery", "delivered_at", "events"},
}


def sorted_pairs(pairs):
    keys = [key for key, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)


def export_text(app, bank_id=None) -> str:
    out = io.StringIO()
    with app.app_context():
        export_world(db.session, out, now=clock.now(), bank_id=bank_id)
    return out.getvalue()


@pytest.fixture(scope="module")
def text(app) -> str:
    return export_text(app)


@pytest.fixture(scope="module")
def world(text) -> dict:
    return json.loads(text, object_pairs_hook=sorted_pairs)


def test_the_same_world_exports_to_the_same_bytes(app, text):
    assert export_text(app) == text


def test_keys_are_sorted_and_the_header_names_seed_and_date(world):
    assert set(world) == {"as_of", "banks", "seed"}
    assert world["seed"] == 42 and world["as_of"] == "2026-03-01T12:00:00Z"
    assert [bank["id"] for bank in world["banks"]] == [
        "cobaltpeak", "copperleaf", "harborline", "juniper"]


def test_every_invariant_holds_in_the_test_world(world):
    seen = check_world(world)

    assert seen["customers"] >= 4 * 8 and seen["pending"] and seen["shipments"]


def test_field_names_follow_the_contract(world):
    bank = world["banks"][0]
    customer = bank["customers"][0]
    accounts = {account["type"]: account for account in customer["accounts"]}
    card = accounts["credit_card"]
    transaction = next(t for t in card["transactions"]
                       if t["receipt"] and t["receipt"]["shipments"])

    assert set(bank) == FIELDS["bank"]
    assert set(customer) == FIELDS["customer"]
    assert set(accounts["checking"]) == FIELDS["account"]
    assert set(card) == FIELDS["account"] | FIELDS["card"]
    assert set(accounts["checking"]["balances"]) == FIELDS["balances"]
    assert set(card["balances"]) == FIELDS["balances"] | {"credit_limit"}
    assert set(transaction) == FIELDS["transaction"]
    assert set(transaction["receipt"]) == FIELDS["receipt"]
    assert set(transaction["receipt"]["shipments"][0]) == FIELDS["shipment"]


def test_rows_come_in_a_stable_order(world):
    for bank in world["banks"]:
        for customer in bank["customers"]:
            for account in customer["accounts"]:
                keys = [(t["authorized_at"], t["id"]) for t in account["transactions"]]
                assert keys == sorted(keys)


def test_one_bank(app):
    juniper = json.loads(export_text(app, "juniper"))

    assert [bank["id"] for bank in juniper["banks"]] == ["juniper"]


def test_an_unknown_bank_is_an_error(app):
    with pytest.raises(UnknownBank, match="nowhere"):
        export_text(app, "nowhere")


@pytest.mark.postgres_only(reason="compares PostgreSQL's world with SQLite's")
def test_the_same_seed_exports_the_same_bytes_on_both_engines(app, tmp_path):
    from sandbox import create_app, unit_of_work
    from sandbox.services.seeding import seed_world
    from tests.conftest import TEST_AS_OF, TEST_CUSTOMERS, TEST_MONTHS, TEST_SEED

    sqlite_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'same.db'}",
                             "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
    with sqlite_app.app_context(), unit_of_work.transaction() as session:
        seed_world(session, seed=TEST_SEED, customers=TEST_CUSTOMERS, months=TEST_MONTHS,
                   as_of=TEST_AS_OF, fresh=True)

    on_sqlite, on_postgres = export_text(sqlite_app), export_text(app)
    with sqlite_app.app_context():
        db.engine.dispose()

    assert len(on_postgres) > 100_000
    assert on_postgres == on_sqlite
