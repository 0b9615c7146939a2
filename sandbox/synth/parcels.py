"""Parcels of online orders: a carrier, a tracking number and the whole planned timeline.

The timeline is fixed when the order is placed; what a client sees is the part of it up to
the sandbox clock's now (``sandbox.services.shipments``), so parcels progress as time moves.
Instants are Unix seconds here; event times are stored as ISO 8601 UTC text.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date

from sandbox.synth.context import Catalogue

DAY = 86_400
HOUR = 3_600
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DELAYED_SHARE = 0.10
EXCEPTION_SHARE = 0.05
RESOLVED_EXCEPTION_SHARE = 0.6


def iso(instant: int) -> str:
    """Unix seconds as ISO 8601 UTC with a ``Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(instant))


@dataclass
class Parcel:
    """One planned parcel. ``lost`` parcels end in an exception and are never delivered."""

    carrier: str
    tracking_number: str
    shipped_at: int
    estimated_delivery: date
    events: list[dict]
    lost: bool


def pick_carrier(rng: random.Random, carriers: list[dict]) -> dict:
    """A carrier, drawn by the carriers' weights."""
    return rng.choices(carriers, weights=[c["weight"] for c in carriers])[0]


def tracking_number(rng: random.Random, carrier: dict) -> str:
    """A tracking number in ``carrier``'s format: its prefix and digits."""
    digits = carrier["digits"]
    return carrier["prefix"] + str(rng.getrandbits(80) % 10 ** digits).zfill(digits)


def _midnight(day_number: int) -> int:
    return day_number * DAY


def plan_parcel(rng: random.Random, catalogue: Catalogue, ordered_at: int,
                home: dict) -> Parcel:
    """Plan a parcel ordered at ``ordered_at`` for delivery in the ``home`` city."""
    carrier = pick_carrier(rng, catalogue.carriers)
    tracking = tracking_number(rng, carrier)
    origin = rng.choice(catalogue.cities)
    events = []

    def event(at: float, status: str, description: str, city: dict) -> None:
        events.append({"at": iso(int(at)), "status": status, "description": description,
                       "city": f"{city['name']}, {city['region']}"})

    event(ordered_at, "label_created", "Order received: shipping label created", origin)
    shipped = int(ordered_at + HOUR * rng.uniform(8, 40))
    event(shipped, "in_transit", "Picked up by carrier", origin)
    transit_days = 1 if origin is home else rng.randint(2, 5)
    estimated = shipped // DAY + transit_days
    delivery_day = estimated - 1 if rng.random() < 0.2 and transit_days > 2 else estimated
    outcome = rng.random()
    if outcome < DELAYED_SHARE:
        event(shipped + HOUR * rng.uniform(8, 20), "delayed",
              rng.choice(("Delayed: severe weather in the area", "Delayed: high package volume",
                          "Delayed: missed connection at sort facility")),
              rng.choice(catalogue.cities))
        delivery_day = estimated + rng.randint(2, 4)
        event(_midnight(delivery_day) - HOUR * rng.uniform(8, 16), "in_transit",
              "Back on schedule: in transit", rng.choice(catalogue.cities))
    else:
        for hop in range(rng.randint(0, 2)):
            at = shipped + HOUR * (10 + 14 * hop + rng.uniform(0, 6))
            if at < _midnight(delivery_day):
                event(at, "in_transit", "Arrived at sort facility", rng.choice(catalogue.cities))
    out = _midnight(delivery_day) + HOUR * rng.uniform(12, 14.5)
    event(out, "out_for_delivery", "Out for delivery", home)
    lost = False
    if DELAYED_SHARE <= outcome < DELAYED_SHARE + EXCEPTION_SHARE:
        failed = out + HOUR * rng.uniform(2, 6)
        if rng.random() < RESOLVED_EXCEPTION_SHARE:
            event(failed, "exception", "Delivery attempt failed: no access to building", home)
            out = _midnight(delivery_day + 1) + HOUR * rng.uniform(12, 14.5)
            event(out, "out_for_delivery", "Out for delivery (second attempt)", home)
        else:
            event(failed, "exception", "Damaged in transit: returning to sender", home)
            lost = True
    if not lost:
        event(out + HOUR * rng.uniform(2, 7), "delivered",
              rng.choice(("Delivered, front door", "Delivered, mailroom",
                          "Delivered, handed to resident")), home)
    return Parcel(carrier=carrier["name"], tracking_number=tracking, shipped_at=shipped,
                  estimated_delivery=date.fromordinal(estimated + EPOCH_ORDINAL),
                  events=events, lost=lost)
