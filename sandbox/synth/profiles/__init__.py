"""Profiles: how a kind of customer earns and spends, day by day, from the habits fixture.

``Regular`` is a salaried person; ``Overdrawn`` and ``Newcomer`` are personas built on it;
``Business`` is a small online shop. The figures (merchants, chances, ranges) are data
(:mod:`sandbox.synth.habits`); the order of the draws is code. Habits are drawn from a
generator keyed by ``(seed, bank, customer)``; each day's choices from one keyed by the week,
``(seed, bank, customer, week)``: a day depends on nothing that comes after it.
"""
from __future__ import annotations

from sandbox.synth.context import World
from sandbox.synth.ledger import Ledger
from sandbox.synth.people import CustomerPlan
from sandbox.synth.profiles.business import Business
from sandbox.synth.profiles.personas import Newcomer, Overdrawn
from sandbox.synth.profiles.regular import Regular

PROFILES = {"regular": Regular, "overdrawn": Overdrawn, "business": Business,
            "new": Newcomer}


def ledger_for(world: World, plan: CustomerPlan) -> Ledger:
    """The simulation of ``plan``'s profile."""
    return PROFILES[plan.profile](world, plan)
