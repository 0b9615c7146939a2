"""Customers and their accounts: who they are, where they live, what they hold."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sandbox.synth import keys
from sandbox.synth.context import World, cents
from sandbox.synth.places import point_near, postal_code, street_address
from sandbox.vocabulary import LIABILITIES

BUSINESS_SUFFIXES = ("Goods", "Supply Co.", "Studio", "Trading", "Outfitters")


@dataclass
class AccountPlan:
    """An account as generated. ``opening`` is in cents at the start of history: the
    balance of a deposit account, the amount owed on a card, loan or mortgage."""

    id: str
    type: str
    product: str
    name: str
    mask: str
    opened_on: date
    opening: int
    position: int
    credit_limit: int | None = None
    statement_day: int | None = None
    apr: str | None = None
    apy: str | None = None

    @property
    def liability(self) -> bool:
        """Cards, loans and mortgages: the balance is an amount owed."""
        return self.type in LIABILITIES


@dataclass
class CustomerPlan:
    """A customer as generated: identity, home, accounts."""

    id: str
    bank_id: str
    username: str
    position: int
    persona: str | None
    profile: str
    name: str
    email: str
    phone: str
    line1: str
    city: dict
    postal_code: str
    lat: float
    lon: float
    mfa_required: bool = False
    locked: bool = False
    accounts: list[AccountPlan] = field(default_factory=list)

    def account(self, account_type: str) -> AccountPlan | None:
        """The customer's first account of ``account_type``."""
        for account in self.accounts:
            if account.type == account_type:
                return account
        return None


def customer_id(seed: int, bank_id: str, username: str) -> str:
    """The id of a customer (stable for a seed, bank and username)."""
    return "cus_" + keys.token(seed, bank_id, username)


def new_accounts_opened_on(world: World) -> date:
    """When ``user_new`` opened its accounts: three days before the month the world was
    seeded in (a few days of history on the 1st, about a month by its end)."""
    return world.as_of_month - timedelta(days=3)


DOMAINS = ("example.com", "example.net", "example.org")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower()) or "customer"


def _email(rng: random.Random, first: str, last: str) -> str:
    return f"{_slug(first)}.{_slug(last)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"


def _mask(rng: random.Random) -> str:
    return f"{rng.randint(0, 9999):04d}"


def plan_customer(world: World, username: str, position: int, persona: dict | None) -> CustomerPlan:
    """Plan one customer of ``world``'s bank; drawn from a generator keyed by
    ``(seed, bank, username)`` alone."""
    rng = keys.rng(world.seed, world.bank_id, username, "person")
    pools = world.pools
    first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
    city = rng.choice(world.catalogue.cities)
    lat, lon = point_near(rng, city)
    profile = persona["profile"] if persona else "regular"
    name = f"{first} {last}"
    if profile == "business":
        name = f"{last} {rng.choice(BUSINESS_SUFFIXES)} LLC"
    plan = CustomerPlan(
        id=customer_id(world.seed, world.bank_id, username), bank_id=world.bank_id,
        username=username, position=position, persona=persona["username"] if persona else None,
        profile=profile, name=name, email=_email(rng, first, last),
        phone=f"+1-{city['area_code']}-555-01{rng.randint(0, 99):02d}",
        line1=street_address(rng, pools, residential=profile != "business"), city=city,
        postal_code=postal_code(rng, city), lat=lat, lon=lon,
        mfa_required=bool(persona and persona["mfa_required"]),
        locked=bool(persona and persona["locked"]),
    )
    plan.accounts = _plan_accounts(world, plan, rng)
    return plan


def _plan_accounts(world: World, plan: CustomerPlan, rng: random.Random) -> list[AccountPlan]:
    profile = plan.profile
    persona = plan.persona is not None
    wanted = ["checking"]
    if profile in ("regular", "business", "new") and (persona or rng.random() < 0.8):
        wanted.append("savings")
    if profile in ("regular", "business", "overdrawn") and (persona or rng.random() < 0.85):
        wanted.append("credit_card")
    if profile == "regular" and not persona:
        if world.product("loan") and rng.random() < 0.3:
            wanted.append("loan")
        if world.product("mortgage") and rng.random() < 0.25:
            wanted.append("mortgage")
    if profile == "new":
        opened = [new_accounts_opened_on(world)] * len(wanted)
    else:
        opened = [world.start - timedelta(days=rng.randint(120, 4000)) for _ in wanted]
    accounts = []
    for position, (account_type, opened_on) in enumerate(zip(wanted, opened)):
        product = world.product(account_type)
        account = AccountPlan(
            id="acc_" + keys.token(world.seed, world.bank_id, plan.username, account_type),
            type=account_type, product=product["code"], name=product["name"],
            mask=_mask(rng), opened_on=opened_on, opening=0, position=position,
            apr=product["apr"], apy=product["apy"])
        _opening(world, plan, account, product, rng)
        accounts.append(account)
    return accounts


def _opening(world: World, plan: CustomerPlan, account: AccountPlan, product: dict,
             rng: random.Random) -> None:
    profile, kind = plan.profile, account.type
    if profile == "new":
        account.opening = 0
    elif kind == "checking":
        account.opening = {"overdrawn": rng.randint(-15_000, -6_000),
                           "business": rng.randint(2_000_000, 6_000_000)}.get(
            profile, rng.randint(150_000, 600_000))
    elif kind == "savings":
        account.opening = rng.randint(3_000_000, 9_000_000) if profile == "business" \
            else rng.randint(200_000, 4_000_000)
    elif kind == "credit_card":
        limits = sorted(cents(limit) for limit in product["credit_limits"])
        limit = {"business": limits[-1], "overdrawn": limits[0]}.get(profile, rng.choice(limits))
        account.credit_limit = limit
        account.statement_day = rng.randint(1, 28)
        share = 0.75 if profile == "overdrawn" else rng.uniform(0, 0.3)
        account.opening = int(limit * share)
    elif kind == "loan":
        account.opening = rng.randint(800_000, 3_200_000)
    else:
        account.opening = rng.randint(15_000_000, 48_000_000)
