"""A bank's policy is read from its row, where a scenario may have changed the fixture's."""
from __future__ import annotations

import pytest

from sandbox import catalog, clock
from sandbox.errors import NotFound
from sandbox.extensions import db
from sandbox.services import banks, scenarios
from sandbox.unit_of_work import transaction


def test_the_policy_is_the_fixtures_after_seeding(app):
    fixture = next(bank for bank in catalog.banks() if bank["id"] == "harborline")
    with app.app_context():
        policy = banks.policy(db.session, "harborline")

    assert policy == banks.Policy(page_size_max=fixture["page_size_max"],
                                  consent_max_days=fixture["consent_max_days"],
                                  mfa_policy=fixture["mfa_policy"])


def test_a_scenario_changes_the_policy_paging_reads(app):
    with app.app_context():
        with transaction() as session:
            scenarios.load(session, {"banks": [{"id": "harborline", "page_size_max": 75,
                                                "consent_max_days": 30}]}, now=clock.now())
        policy = banks.policy(db.session, "harborline")

    assert (policy.page_size_max, policy.consent_max_days) == (75, 30)


def test_an_unknown_bank_has_no_policy(app):
    with app.app_context(), pytest.raises(NotFound, match="nowhere"):
        banks.policy(db.session, "nowhere")
