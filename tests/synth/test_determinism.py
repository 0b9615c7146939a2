"""The world is a pure function of (fixtures, seed, clock date), shown through the CLI."""
from __future__ import annotations

import json

import pytest
from tests.synth.world_checks import check_world

AS_OF = "2026-02-03"
#: Comparisons of whole customers read one bank: the others are generated the same way.
BANK = "harborline"


@pytest.fixture(scope="module")
def base(cli) -> bytes:
    """Seed 42, two customers per bank, as of AS_OF, exported."""
    cli.seed("base", "--seed", "42", "--customers", "2", "--as-of", AS_OF)
    return cli.export("base")


@pytest.fixture(scope="module")
def base_world(base) -> dict:
    return json.loads(base)


def customers_by_bank(world: dict) -> dict[str, dict[str, dict]]:
    return {bank["id"]: {customer["username"]: customer for customer in bank["customers"]}
            for bank in world["banks"]}


def test_same_seed_and_date_export_the_same_bytes(cli, base):
    cli.seed("again", "--seed", "42", "--customers", "2", "--as-of", AS_OF)

    assert cli.export("again") == base


def test_the_seeded_world_keeps_every_invariant(base_world):
    seen = check_world(base_world)

    assert seen["customers"] >= 4 * (6 + 2)
    assert seen["transfers"] and seen["receipts"] and seen["shipments"] and seen["pending"]


def test_another_seed_gives_another_world(cli, base_world):
    cli.seed("other", "--seed", "43", "--customers", "2", "--as-of", AS_OF)
    first = customers_by_bank(base_world)
    second = customers_by_bank(json.loads(cli.export("other", "--bank", BANK)))

    assert first[BANK].keys() == second[BANK].keys()
    for username, customer in first[BANK].items():
        other = second[BANK][username]
        assert customer["id"] != other["id"]
        assert customer["name"] != other["name"] or customer["email"] != other["email"]
        if customer["accounts"][0]["transactions"]:
            assert customer["accounts"][0]["transactions"] != \
                other["accounts"][0]["transactions"]


def test_more_customers_leave_the_first_ones_unchanged(cli, base_world):
    cli.seed("more", "--seed", "42", "--customers", "3", "--as-of", AS_OF)
    first = customers_by_bank(base_world)[BANK]
    larger = customers_by_bank(json.loads(cli.export("more", "--bank", BANK)))[BANK]

    assert "customer_00003" in set(larger) - set(first)
    for username, customer in first.items():
        assert larger[username] == customer
