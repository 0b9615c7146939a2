"""The habits fixture validates, fails loudly when broken, and still gives the same world."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
import yaml

from sandbox import catalog
from sandbox.synth import habits
from sandbox.synth.context import history_start, make_world
from sandbox.synth.generate import simulate

#: sha256 of the seed-42 ledgers of every persona and two generated customers of the first
#: bank, two months up to 2026-03-01, as the generator made them before habits became data.
#: A deliberate change of a habit changes it: record the new value in the same commit.
LEDGERS_DIGEST = "7e659024c20e7882891d92ed7396df6527827f13dabe97114714607fab6b16a2"


def test_the_habits_fixture_validates():
    loaded = habits.load()
    merchants = {merchant["id"]: merchant for merchant in catalog.merchant_catalogue()["merchants"]}

    assert loaded.regular.restaurants.pick <= len(loaded.regular.restaurants.merchants)
    assert {merchants[m]["category"] for m in loaded.regular.grocers} == {"groceries"}
    assert all(merchants[m]["ships"] for m in loaded.regular.online_shops.merchants)
    assert loaded.regular.bills[0].amount == (5_500, 12_000)  # money in cents
    assert loaded.regular.at_home.groceries.hours == (14, 23)


def test_the_same_seed_gives_the_same_ledgers():
    as_of = date(2026, 3, 1)
    world = make_world(42, 2, history_start(as_of, 2), catalog.banks()[0])
    people = [(persona["username"], persona) for persona in catalog.personas()]
    people += [("customer_00001", None), ("customer_00002", None)]
    digest = hashlib.sha256()
    for position, (username, persona) in enumerate(people):
        _, ledger = simulate(world, username, position, persona, datetime(2026, 3, 1, 12))
        for table in (ledger.rows, ledger.receipts, ledger.shipments):
            digest.update(repr(table).encode())

    assert digest.hexdigest() == LEDGERS_DIGEST


def _broken(tmp_path, change) -> str:
    """Load a copy of habits.yaml changed by ``change``; the FixtureError's message."""
    document = yaml.safe_load((catalog.fixtures_root() / "habits.yaml").read_text("utf-8"))
    change(document)
    path = tmp_path / "habits.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(catalog.FixtureError) as error:
        catalog.load_fixture(path, habits.HabitsSchema())
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    return message


@pytest.mark.parametrize(("change", "field", "complaint"), [
    (lambda d: d["regular"]["grocers"].append("mch_nowhere"), "grocers",
     "mch_nowhere: not a merchant of merchants.yaml"),
    (lambda d: d["regular"].update(corner_store="mch_roadrunner"), "corner_store",
     "mch_roadrunner: category 'fuel', expected one of ['groceries']"),
    (lambda d: d["regular"]["at_home"]["dentist"].update(chance=1.5), "dentist",
     "Must be greater than or equal to 0 and less than or equal to 1"),
    (lambda d: d["regular"]["pay_schedules"].update(monthly=0), "pay_schedules",
     "Must be greater than 0"),
    (lambda d: d["regular"].update(salary=[165000, 42000]), "salary",
     "The first bound must not exceed the second"),
    (lambda d: d["regular"]["stores"].update(pick=9), "stores",
     "More to pick than there are merchants"),
    (lambda d: d["regular"]["bills"][0].pop("amount"), "bills",
     "mch_ridgepower: has no plans"),
    (lambda d: d["regular"]["online_shops"]["merchants"].append("mch_voltage"), "online_shops",
     "mch_voltage: does not ship orders"),
    (lambda d: d["business"].pop("payroll"), "payroll", "Missing data for required field"),
    (lambda d: d["newcomer"].update(coffe=0.4), "coffe", "Unknown field"),
    (lambda d: d["regular"]["at_home"]["dining"].update(chance=0.2), "dining",
     "Leave `chance` out: the profile draws it."),
    (lambda d: d["regular"]["at_home"]["parking"].pop("chance"), "parking",
     "A `chance` is required."),
])
def test_a_broken_habits_file_fails_naming_file_and_field(tmp_path, change, field, complaint):
    message = _broken(tmp_path, change)

    assert f"'{field}'" in message
    assert complaint in message
