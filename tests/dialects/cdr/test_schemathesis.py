"""Schemathesis, in process, against the published CDR documents themselves (their server
mapped to harborline's base URL, with a CDR token): no server error, no answer the documents
do not allow (status, headers, body), for every operation the dialect serves."""
from __future__ import annotations

import copy

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.dialects.cdr.conftest import BANK, CDR_SCOPES, customer_of, published

#: The operations the dialect serves (the documents define more: payees, direct debits...).
SERVED = ("listBankingAccounts", "listBankingBalancesBulk", "listBankingBalancesSpecificAccounts",
          "getBankingBalance",
          "getBankingAccountDetail", "listBankingTransactions", "getBankingTransactionDetail",
          "listBankingProducts", "getCustomer", "getStatus")
MAX_EXAMPLES = 25


def _mapped(name: str) -> dict:
    document = copy.deepcopy(published(name))
    document["servers"] = [{"url": f"/banks/{BANK}/cds-au/v1"}]
    for item in document["paths"].values():
        for operation in [item, *item.values()]:
            if isinstance(operation, dict):
                operation.pop("servers", None)
    return document


def _config(token: str, accounts: list[str], transactions: list[str]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "parameters": {
            "path.accountId": {"dictionary": "accounts", "probability": 0.7},
            "path.transactionId": {"dictionary": "transactions", "probability": 0.7},
            "header.x-v": {"dictionary": "versions", "probability": 0.7},
        },
        "dictionaries": {"accounts": {"values": accounts},
                         "transactions": {"values": transactions},
                         "versions": {"values": ["1", "2", "3", "5", "99"]}},
        # Valid by the schema yet refused by the standard's rules: a version the operation
        # does not serve (406), a page past the last (422), an account or transaction the
        # consent does not cover (404), free-form headers such as x-v that are not integers.
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "404", "406", "422"]}},
    })


@pytest.fixture(scope="module")
def config(mint, world) -> SchemathesisConfig:
    customer = customer_of(world, BANK, "user_good")
    checking = customer["accounts"][0]
    return _config(mint(BANK, "user_good", CDR_SCOPES), [a["id"] for a in customer["accounts"]],
                   [t["id"] for t in checking["transactions"][:20]])


def _loaded(app, config, name: str):
    schema = schemathesis.openapi.from_dict(_mapped(name), config=config)
    schema.app = app
    return schema


@pytest.fixture(scope="module")
def cdr_banking(app, config):
    return _loaded(app, config, "cdr-banking-1.36.0.json")


@pytest.fixture(scope="module")
def cdr_common(app, config):
    return _loaded(app, config, "cdr-common-1.36.0.json")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32 reads ``node._nodeid``, which pytest 9 no longer sets."""
    request.node._nodeid = request.node.nodeid


banking = schemathesis.pytest.from_fixture("cdr_banking").include(
    operation_id=list(SERVED))
common = schemathesis.pytest.from_fixture("cdr_common").include(operation_id=list(SERVED))


@banking.parametrize()
def test_banking_answers_conform_to_the_published_document(case):
    case.call_and_validate()


@common.parametrize()
def test_common_answers_conform_to_the_published_document(case):
    case.call_and_validate()
