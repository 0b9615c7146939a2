"""Seeding: what the world holds after ``seed_world``, and how seeding refuses to clobber."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from sandbox import catalog, clock, create_app
from sandbox.extensions import db
from sandbox.models import Account, Bank, Customer, OAuthClient, Transaction, WorldState
from sandbox.services.seeding import AlreadySeeded, format_summary, is_seeded, seed_world

AS_OF_NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def persona(bank_id: str, username: str) -> Customer:
    return db.session.scalar(sa.select(Customer).where(Customer.bank_id == bank_id,
                                                      Customer.username == username))


def accounts_of(customer: Customer) -> dict[str, Account]:
    return {a.type: a for a in db.session.scalars(
        sa.select(Account).where(Account.customer_id == customer.id))}


def test_world_state_records_how_the_world_was_seeded(ctx):
    state = db.session.get(WorldState, 1)

    assert (state.seed, state.customers, state.history_months) == (42, 2, 3)
    assert state.clock_frozen_at == AS_OF_NOON and state.clock_offset_seconds == 0
    assert state.history_start == date(2025, 12, 1)
    assert is_seeded(db.session)


def test_banks_keep_their_fixture_as_settings(ctx):
    banks = db.session.scalars(sa.select(Bank).order_by(Bank.position)).all()
    fixtures = catalog.banks()

    assert [bank.id for bank in banks] == [fixture["id"] for fixture in fixtures]
    for bank, fixture in zip(banks, fixtures):
        assert bank.routing_number == fixture["routing_number"]
        assert bank.settings == {key: value for key, value in fixture.items()
                                 if key not in ("id", "name", "routing_number")}


@pytest.mark.parametrize(("client_id", "method", "grants", "secret"), [
    ("demo-app", "client_secret_basic",
     ["authorization_code", "refresh_token", "client_credentials"], "demo-secret"),
    ("demo-public", "none", ["authorization_code", "refresh_token"], None),
])
def test_demo_clients_are_registered_at_every_bank(ctx, client_id, method, grants, secret):
    clients = db.session.scalars(sa.select(OAuthClient)
                                 .where(OAuthClient.client_id == client_id)).all()

    assert len(clients) == len(catalog.banks())
    for client in clients:
        assert client.token_endpoint_auth_method == method
        assert client.grant_types == grants and client.response_types == ["code"]
        assert client.redirect_uris == ["http://localhost/callback", "http://127.0.0.1/callback"]
        assert set(client.scope.split()) == set(catalog.SCOPES)
        assert client.client_secret == secret


def test_personas_and_generated_customers_at_every_bank(ctx):
    for bank in catalog.banks():
        customers = db.session.scalars(sa.select(Customer).where(Customer.bank_id == bank["id"])
                                       .order_by(Customer.position)).all()
        usernames = [customer.username for customer in customers][:8]
        assert usernames == [p["username"] for p in catalog.personas()] + \
            ["customer_00001", "customer_00002"]
        assert [c.persona for c in customers][:8] == usernames[:6] + [None, None]
        assert persona(bank["id"], "user_mfa").mfa_required
        assert persona(bank["id"], "user_locked").locked
        assert not persona(bank["id"], "user_good").locked


def test_passwords_are_hashed_once_and_verify(ctx):
    hashes = set(db.session.scalars(sa.select(Customer.password_hash)))

    assert len(hashes) == 1
    assert check_password_hash(hashes.pop(), "pass_good")


def test_customers_live_somewhere(ctx):
    for customer in db.session.scalars(sa.select(Customer)):
        assert re.fullmatch(r"\d{5}", customer.postal_code)
        assert customer.email.count("@") == 1 and customer.phone.startswith("+1-")
        assert -90 <= customer.home_lat <= 90 and -180 <= customer.home_lon <= 180


def test_accounts_carry_the_banks_routing_number_and_products(ctx):
    for bank in db.session.scalars(sa.select(Bank)):
        offered = {product["code"] for product in bank.settings["products"]}
        for account in db.session.scalars(sa.select(Account)
                                          .where(Account.bank_id == bank.id)):
            assert account.routing_number == bank.routing_number
            assert account.product in offered and re.fullmatch(r"\d{4}", account.mask)
            if account.type == "credit_card":
                assert account.credit_limit > 0 and 1 <= account.statement_day <= 28
                assert account.minimum_payment is not None and account.payment_due_on


def test_special_personas(ctx):
    for bank in catalog.banks():
        overdrawn = accounts_of(persona(bank["id"], "user_overdrawn"))["checking"]
        fees = db.session.scalar(sa.select(sa.func.count()).where(
            Transaction.account_id == overdrawn.id, Transaction.category == "fees"))
        business = [a.id for a in accounts_of(persona(bank["id"], "user_business")).values()]
        volume = db.session.scalar(sa.select(sa.func.count())
                                   .where(Transaction.account_id.in_(business)))
        new = accounts_of(persona(bank["id"], "user_new")).values()

        assert overdrawn.current_balance < 0 and fees > 0
        assert volume >= 10_000
        assert all(0 < (AS_OF_NOON.date() - a.opened_on).days <= 7 for a in new)


def test_balances_add_up_to_the_posted_rows(ctx):
    posted = dict(db.session.execute(
        sa.select(Transaction.account_id, sa.func.sum(Transaction.amount))
        .where(Transaction.status == "posted").group_by(Transaction.account_id)).all())
    for account in db.session.scalars(sa.select(Account)):
        sign = -1 if account.type in ("credit_card", "loan", "mortgage") else 1
        total = posted.get(account.id) or Decimal("0.00")
        assert account.current_balance == account.opening_balance + sign * total
        assert account.generated_through == AS_OF_NOON


def test_seeding_an_existing_world_refuses(ctx):
    with pytest.raises(AlreadySeeded, match="sandbox reset"):
        seed_world(db.session, seed=1, customers=0, months=1, as_of=None, fresh=False)


def test_the_clock_setting_freezes_a_world_seeded_without_a_date(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}",
                      "SANDBOX_CLOCK": "2025-07-04T15:30:00Z", "TESTING": True})
    calls = []
    with app.app_context():
        summary = seed_world(db.session, seed=3, customers=0, months=1, as_of=None, fresh=False,
                             configured_clock=clock.configured_clock(), progress=lambda done, total: calls.append((done, total)))
        db.session.commit()
        state = db.session.get(WorldState, 1)
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Transaction))
        latest = db.session.scalar(sa.select(sa.func.max(Transaction.authorized_at)))
        db.engine.dispose()

    assert state.clock_frozen_at == datetime(2025, 7, 4, 15, 30, tzinfo=timezone.utc)
    assert latest <= state.clock_frozen_at
    assert summary["transactions"] == stored and summary["as_of"] == "2025-07-04"
    assert calls[-1] == (24, 24) and [done for done, _ in calls] == list(range(1, 25))


def test_without_a_date_or_clock_setting_the_world_runs_on_the_wall_clock(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}",
                      "SANDBOX_CLOCK": None, "TESTING": True})
    with app.app_context():
        seed_world(db.session, seed=3, customers=0, months=1, as_of=None, fresh=True)
        db.session.commit()
        state = db.session.get(WorldState, 1)
        latest = db.session.scalar(sa.select(sa.func.max(Transaction.authorized_at)))
        db.engine.dispose()

    assert state.clock_frozen_at is None
    assert latest <= datetime.now(timezone.utc)


def test_summary_is_one_line():
    line = format_summary({"banks": 4, "customers": 124, "accounts": 1, "transactions": 301_234,
                           "receipts": 9_876, "shipments": 2_345, "seconds": 6.14, "seed": 42,
                           "as_of": "2026-03-01"})

    assert line == ("Seeded 4 banks, 124 customers, 1 account, 301,234 transactions, "
                    "9,876 receipts, 2,345 shipments in 6.1 s (seed 42, as of 2026-03-01)")
