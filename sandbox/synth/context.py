"""What every generator of one bank's world shares: seed, bank, catalogue, pools, dates."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sandbox import catalog
from sandbox.synth.pools import Pools, pools


def cents(text: str) -> int:
    """Decimal string to integer cents."""
    return int((Decimal(text) * 100).to_integral_value())


def money(amount: int) -> str:
    """Integer cents to a decimal string with two places."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}{amount // 100}.{amount % 100:02d}"


def month_start(day: date, shift: int = 0) -> date:
    """The 1st of the month ``shift`` months after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def history_start(today: date, months: int) -> date:
    """Where generated history begins: the 1st of the month ``months`` months before the
    month of ``today``. Independent of the day of the month, so a world seeded on the 3rd
    and caught up to the 20th equals one seeded on the 20th."""
    return month_start(today, -months)


@dataclass(frozen=True)
class Item:
    """A line item a receipt can carry."""

    sku: str
    description: str
    low: int
    high: int


@dataclass(frozen=True)
class Merchant:
    """A catalogue merchant, money in cents."""

    id: str
    name: str
    category: str
    mcc: str
    channel: str
    website: str | None
    low: int
    high: int
    plans: tuple[int, ...]
    items: tuple[Item, ...]
    ships: bool
    tips: bool
    #: How an online purchase reads on a statement.
    descriptor: str


@dataclass(frozen=True)
class Catalogue:
    """Merchants, carriers and cities, parsed once per process."""

    merchants: dict[str, Merchant]
    carriers: tuple[dict, ...]
    cities: tuple[dict, ...]
    tax_rates: dict[str, int]

    def pick(self, *ids: str) -> tuple[Merchant, ...]:
        """The merchants with these ids, in that order."""
        return tuple(self.merchants[merchant_id] for merchant_id in ids)


def _descriptor(name: str, website: str | None) -> str:
    host = website.split("//", 1)[1] if website else ""
    return f"{name.upper()} {host.upper()}".strip()


@functools.cache
def load_catalogue() -> Catalogue:
    """The merchant catalogue with money in cents."""
    raw = catalog.merchant_catalogue()
    items = {name: tuple(Item(item["sku"], item["description"], cents(item["price"][0]),
                              cents(item["price"][1])) for item in entries)
             for name, entries in raw["items"].items()}
    merchants = {}
    for entry in raw["merchants"]:
        low, high = (cents(entry["amount"][0]), cents(entry["amount"][1])) if entry["amount"] \
            else (0, 0)
        merchants[entry["id"]] = Merchant(
            id=entry["id"], name=entry["name"], category=entry["category"], mcc=entry["mcc"],
            channel=entry["channel"], website=entry["website"], low=low, high=high,
            plans=tuple(cents(plan) for plan in entry["plans"] or ()),
            items=items[entry["items"]] if entry["items"] else (),
            ships=entry["ships"], tips=entry["tips"],
            descriptor=_descriptor(entry["name"], entry["website"]))
    cities = catalog.cities()
    # Sales tax in thousandths of a percent: "8.625" -> 8625.
    tax_rates = {city["name"]: int(Decimal(city["sales_tax"]) * 1000) for city in cities}
    return Catalogue(merchants=merchants, carriers=tuple(raw["carriers"]), cities=cities,
                     tax_rates=tax_rates)


@dataclass(frozen=True)
class World:
    """One bank's generation context."""

    seed: int
    months: int
    start: date
    bank: dict
    pools: Pools
    catalogue: Catalogue

    @property
    def bank_id(self) -> str:
        return self.bank["id"]

    @property
    def as_of_month(self) -> date:
        """The 1st of the month the world was seeded in."""
        return month_start(self.start, self.months)

    def product(self, account_type: str) -> dict | None:
        """The bank's product of ``account_type``, if it offers one."""
        for product in self.bank["products"]:
            if product["type"] == account_type:
                return product
        return None


def make_world(seed: int, months: int, start: date, bank: dict) -> World:
    """The generation context of ``bank``."""
    return World(seed=seed, months=months, start=start, bank=bank, pools=pools(seed),
                 catalogue=load_catalogue())
