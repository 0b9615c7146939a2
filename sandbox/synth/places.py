"""Homes, venues and addresses in the cities of ``fixtures/cities.yaml``."""
from __future__ import annotations

import random

from sandbox.synth.pools import Pools

#: Degrees of latitude/longitude a venue may lie from the city centre (about ±8 km).
SPREAD = 0.075

SUFFIXES = ("", "", "", " Apt 2B", " Apt 4C", " Unit 12", " Apt 310", " #7")


def street_address(rng: random.Random, pools: Pools, residential: bool) -> str:
    """A plausible street address line."""
    line = f"{rng.randint(10, 9899)} {rng.choice(pools.streets)}"
    return line + rng.choice(SUFFIXES) if residential else line


def postal_code(rng: random.Random, city: dict) -> str:
    """A ZIP code of ``city``."""
    return f"{city['zip_prefix']}{rng.randint(1, 99):02d}"


def point_near(rng: random.Random, city: dict) -> tuple[float, float]:
    """A (lat, lon) within a few kilometres of the centre of ``city``."""
    return (round(city["lat"] + rng.uniform(-SPREAD, SPREAD), 5),
            round(city["lon"] + rng.uniform(-SPREAD, SPREAD), 5))


def venue(rng: random.Random, pools: Pools, city: dict) -> tuple:
    """A location tuple ``(line1, city, region, postal_code, country, lat, lon)``."""
    lat, lon = point_near(rng, city)
    return (street_address(rng, pools, residential=False), city["name"], city["region"],
            postal_code(rng, city), "US", lat, lon)
