"""What seeding adds for QA: the error users at every bank, and the world's origin (its
seeding parameters, so ``POST /sandbox/reset`` without arguments returns to this world)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import catalog
from sandbox.faults import error_users
from sandbox.models import Account, Customer, WorldOrigin
from sandbox.synth.context import make_world
from sandbox.synth.generate import account_row, customer_row
from sandbox.synth.people import plan_customer

PASSWORD = "pass_good"
#: Error users get the accounts of a new customer (so a consent can select them) and no
#: history: their data calls fail anyway, and a world caught up to a later day stays equal
#: to one seeded then.
PROFILE = "new"


def seed_qa_extras(session: Session, counts: dict, *, seed: int, customers: int, months: int,
                   as_of: date | None, start: date, now: datetime, password_hash: str) -> None:
    """Add the error users to every bank of a world being seeded (``counts`` is updated;
    ``password_hash`` is the hash of ``pass_good``) and record the world's origin. Runs inside
    ``seed_world``'s transaction, after the banks exist."""
    first = len(catalog.personas()) + customers
    customer_rows, account_rows = [], []
    for bank in catalog.banks():
        world = make_world(seed, months, start, bank)
        for offset, user in enumerate(error_users.load()):
            persona = {"username": user["username"], "profile": PROFILE,
                       "mfa_required": False, "locked": False, "password": PASSWORD}
            plan = plan_customer(world, user["username"], first + offset, persona)
            customer_rows.append({**customer_row(plan, password_hash), "persona": None})
            account_rows += [{**account_row(account, plan, bank["routing_number"]),
                              "generated_through": now} for account in plan.accounts]
    connection = session.connection()
    connection.execute(sa.insert(Customer.__table__), customer_rows)
    connection.execute(sa.insert(Account.__table__), account_rows)
    counts["customers"] = counts.get("customers", 0) + len(customer_rows)
    counts["accounts"] = counts.get("accounts", 0) + len(account_rows)
    session.merge(WorldOrigin(id=1, seed=seed, customers=customers, months=months,
                                 as_of=as_of))
