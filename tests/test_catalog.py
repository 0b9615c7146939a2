"""The fixtures load, validate, and describe banks that differ."""
from __future__ import annotations

import marshmallow as ma
import pytest

from sandbox import catalog


def test_every_fixture_validates():
    assert len(catalog.banks()) >= 4
    assert {p["username"] for p in catalog.personas()} >= {
        "user_good", "user_mfa", "user_locked", "user_overdrawn", "user_business", "user_new"}
    assert len(catalog.merchant_catalogue()["merchants"]) >= 50
    assert len(catalog.cities()) >= 20
    assert {client["client_id"] for client in catalog.clients()} == {
        "demo-app", "demo-public", "sandbank-chat"}


@pytest.mark.parametrize("aspect", ["mfa_policy", "page_size_max", "consent_max_days"])
def test_banks_differ_in_policies(aspect):
    values = [bank[aspect] for bank in catalog.banks()]

    assert len(set(values)) > 1


def test_banks_differ_in_brand_tokens_and_products():
    banks = catalog.banks()

    assert len({bank["brand"]["primary_color"] for bank in banks}) == len(banks)
    assert len({bank["tokens"]["access_token_seconds"] for bank in banks}) == len(banks)
    assert len({frozenset(p["type"] for p in bank["products"]) for bank in banks}) > 1


@pytest.mark.parametrize(("routing_number", "valid"), [
    ("322271025", True), ("114091060", True), ("322271026", False), ("12345678", False),
    ("abcdefghi", False),
])
def test_aba_checksum(routing_number, valid):
    assert catalog.aba_checksum_ok(routing_number) is valid


def test_a_bank_with_a_bad_routing_number_is_rejected():
    bank = dict(catalog.banks()[0], routing_number="322271026")

    with pytest.raises(ma.ValidationError) as error:
        catalog.BankSchema().load(bank)

    assert "routing_number" in error.value.messages


def test_online_merchants_have_websites_and_shipped_ones_have_items():
    for merchant in catalog.merchant_catalogue()["merchants"]:
        if merchant["channel"] == "online":
            assert merchant["website"].endswith(".example")
        if merchant["ships"]:
            assert merchant["items"]


def test_a_public_client_has_no_secret():
    with pytest.raises(ma.ValidationError):
        catalog.ClientSchema().load({**catalog.clients()[1], "client_secret": "oops"})
