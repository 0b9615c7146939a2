"""Name and address pools, built with Faker once per seed and then drawn from with
``random.Random`` (creating or reseeding Faker on the hot path would be far too slow)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from faker import Faker

POOL_SIZE = 400


@dataclass(frozen=True)
class Pools:
    """Names to draw from; every list is in a fixed order for a given seed."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    employers: tuple[str, ...]
    landlords: tuple[str, ...]


@functools.cache
def _faker() -> Faker:
    return Faker("en_US")


def _unique(make, size: int) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _ in range(size * 20):
        seen.setdefault(make(), None)
        if len(seen) == size:
            break
    return tuple(seen)


@functools.lru_cache(maxsize=4)
def pools(seed: int) -> Pools:
    """The pools of world ``seed`` (Faker reseeded per pool, so each is independent)."""
    fake = _faker()

    def build(name: str, make, size: int = POOL_SIZE) -> tuple[str, ...]:
        fake.seed_instance(f"{seed}:{name}")
        return _unique(make, size)

    return Pools(
        first_names=build("first", fake.first_name),
        last_names=build("last", fake.last_name),
        streets=build("street", fake.street_name),
        employers=build("employer", lambda: fake.company().replace(",", ""), 150),
        landlords=build("landlord", lambda: f"{fake.last_name()} Property Management", 120),
    )
