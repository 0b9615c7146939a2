"""OB permissions onto Sandbank scopes and back: the one table."""
from __future__ import annotations

import pytest

from sandbox.errors import BadRequest
from sandbox.services.ukob_consents import PERMISSIONS, granted, scope_for
from sandbox.vocabulary import SCOPES


def test_permissions_map_onto_scopes_without_repeats():
    assert scope_for(["ReadTransactionsDebits", "ReadAccountsBasic", "ReadTransactionsDetail",
                      "ReadPartyPSU"]) == "accounts transactions identity"


def test_a_permission_the_sandbox_does_not_serve_is_refused_naming_the_field():
    with pytest.raises(BadRequest) as refused:
        scope_for(["ReadBalances", "ReadStandingOrdersDetail"])
    assert refused.value.field == "Data.Permissions"
    assert "ReadStandingOrdersDetail" in refused.value.detail


def test_a_v1_consent_holds_what_its_scopes_imply():
    assert granted(None, frozenset({"accounts", "transactions"})) == {
        "ReadAccountsDetail", "ReadTransactionsDetail", "ReadTransactionsCredits",
        "ReadTransactionsDebits"}


def test_permissions_sent_count_only_while_their_scope_is_granted():
    sent = ["ReadAccountsBasic", "ReadBalances", "ReadPartyPSU"]
    assert granted(sent, frozenset({"accounts", "identity"})) == {"ReadAccountsBasic",
                                                                 "ReadPartyPSU"}


def test_every_permission_names_a_sandbank_scope():
    assert {scope for scope, _ in PERMISSIONS.values()} <= set(SCOPES)
