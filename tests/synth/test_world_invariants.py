"""Every invariant of DESIGN.md §5 holds, for random seeds, customer counts and dates."""
from __future__ import annotations

import io
import json
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from tests.synth.world_checks import check_world

from sandbox import clock, create_app
from sandbox.extensions import db
from sandbox.models import Account, Transaction
from sandbox.services.export import export_world
from sandbox.services.seeding import seed_world

pytestmark = pytest.mark.sqlite_only(
    reason="the generator's invariants over many worlds, each seeded into a SQLite file of its "
           "own (the engine is not under test)")


def stored_balances_add_up() -> None:
    """In the database: balance = opening + posted (deposits), owed = opening − posted
    (cards, loans, mortgages), pending_total = the pending rows."""
    sums = dict(db.session.execute(
        sa.select(Transaction.account_id, sa.func.sum(Transaction.amount))
        .where(Transaction.status == "posted").group_by(Transaction.account_id)).all())
    pending = dict(db.session.execute(
        sa.select(Transaction.account_id, sa.func.sum(Transaction.amount))
        .where(Transaction.status == "pending").group_by(Transaction.account_id)).all())
    for account in db.session.scalars(sa.select(Account)):
        posted = sums.get(account.id) or Decimal("0.00")
        sign = -1 if account.type in ("credit_card", "loan", "mortgage") else 1
        assert account.current_balance == account.opening_balance + sign * posted, account.id
        assert account.pending_total == (pending.get(account.id) or Decimal("0.00"))


# Dates early in a month keep the history (from the 1st of the month before) short.
@settings(max_examples=5, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(seed=st.integers(0, 2**31 - 1), customers=st.integers(0, 3),
       as_of=st.dates(date(2024, 1, 1), date(2027, 12, 31)).map(
           lambda day: day.replace(day=min(day.day, 7))))
def test_every_invariant_holds(seed, customers, as_of):
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'w.db'}",
                          "TESTING": True})
        with app.app_context():
            seed_world(db.session, seed=seed, customers=customers, months=1, as_of=as_of, fresh=True)
            stored_balances_add_up()
            out = io.StringIO()
            export_world(db.session, out, now=clock.now())
            db.engine.dispose()
    seen = check_world(json.loads(out.getvalue()))

    assert seen["customers"] >= 4 * (6 + customers)
    assert seen["transfers"] and seen["receipts"] and seen["shipments"]
