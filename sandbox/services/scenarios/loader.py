"""The state of one scenario load: what the document made, the errors found (by path), the
accounts to rebalance, and what every part of the document needs (the session, the clock,
the world's seed, the merchants)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox.models import Account, Bank, Merchant, WorldState
from sandbox.services import ledger
from sandbox.services.scenarios.document import ScenarioInvalid
from sandbox.synth.context import World, history_start, make_world

#: The password of a customer a scenario creates without one.
DEFAULT_PASSWORD = "pass_good"


@dataclass
class Made:
    """What one customer of the document became."""

    bank_id: str
    username: str
    customer_id: str
    password: str | None
    accounts: list[dict] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    minted: list[dict] = field(default_factory=list)


class Loader:
    """Applies one document inside the session's transaction, collecting errors by path."""

    def __init__(self, session: Session, now: datetime, invalid: str):
        self.session = session
        self.now = now
        #: The detail of the :class:`ScenarioInvalid` raised when the document has errors.
        self.invalid = invalid
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.counts = dict.fromkeys(("banks", "customers", "accounts", "transactions",
                                     "receipts", "shipments", "clients", "consents"), 0)
        self.made: list[Made] = []
        self.touched: dict[str, datetime | None] = {}
        self.state = session.get(WorldState, 1)
        self.seed = self.state.seed if self.state else 0
        self.hashes: dict[str, str] = {}
        self.merchants = {m.id: m for m in session.scalars(sa.select(Merchant))}
        #: Ids of the rows added as posted; purchases declined instead of added.
        self.posted: list[str] = []
        self.declined: list[dict] = []

    def error(self, path: str, message: str) -> None:
        """Record what is wrong at ``path`` (the document is refused when :meth:`finish`)."""
        self.errors[path or "(body)"].append(message)

    @staticmethod
    def at(base: str, name: str) -> str:
        """The path of ``name`` inside ``base``."""
        return f"{base}.{name}" if base else name

    def touch(self, account_id: str, since: datetime | None) -> None:
        """Mark an account for rebalancing from ``since`` (None: from its opening)."""
        earlier = self.touched.get(account_id, since)
        self.touched[account_id] = None if since is None or earlier is None else min(since,
                                                                                     earlier)

    def password_hash(self, password: str) -> str:
        """``password`` hashed, once per load."""
        if password not in self.hashes:
            self.hashes[password] = generate_password_hash(password)
        return self.hashes[password]

    def world(self, bank: Bank) -> World:
        """The generator's world of ``bank``, as seeding made it (a new world starts now)."""
        months = self.state.history_months if self.state else 3
        start = (self.state.history_start if self.state and self.state.history_start
                 else history_start(self.now.date(), months))
        fixture = {**bank.settings, "id": bank.id, "name": bank.name,
                   "routing_number": bank.routing_number}
        return make_world(self.seed, months, start, fixture)

    def finish(self) -> None:
        """Raise the collected errors, or bring every touched account's balances up to date."""
        if self.errors:
            raise ScenarioInvalid(dict(self.errors), self.invalid)
        self.session.flush()
        for account_id, since in self.touched.items():
            ledger.rebalance(self.session, self.session.get(Account, account_id), since)

    def result(self) -> dict:
        """Counts, and each customer's credentials, ids, accounts and minted tokens."""
        return {"counts": dict(self.counts), "customers": [
            {"bank_id": m.bank_id, "username": m.username, "customer_id": m.customer_id,
             "password": m.password, "accounts": m.accounts, "tokens": m.minted}
            for m in self.made]}
