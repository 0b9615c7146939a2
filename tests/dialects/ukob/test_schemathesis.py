"""Schemathesis against the published 4.0 document itself (its paths mapped to a bank's base
URL), in process, over every operation the dialect serves: a PSU token of an authorized
consent holding every permission it serves, a client-credentials token for consents; no
server error and no answer that violates the published document."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from sandbox.dialects.ukob import DIALECT
from sandbox.dialects import published as _published


def published() -> dict:
    return _published(DIALECT.documents["ukob.json"][1])
from tests.dialects.ukob.conftest import BASE, authorize, create, service_token

MAX_EXAMPLES = 25
#: The operations served (the document also has beneficiaries, standing orders, ...).
SERVED = (r"^/(account-access-consents(/\{ConsentId\})?|accounts(/\{AccountId\}"
          r"(/(balances|transactions|party|parties))?)?|balances|transactions|party)$")


@pytest.fixture(scope="module")
def published_api(app):
    client = app.test_client()
    consent_id = create(client).get_json()["Data"]["ConsentId"]
    psu = authorize(client, consent_id)
    accounts = [a["AccountId"] for a in client.get(
        f"{BASE}/accounts", headers={"Authorization": f"Bearer {psu}"}).get_json()[
        "Data"]["Account"]]
    waiting = [create(client).get_json()["Data"]["ConsentId"] for _ in range(3)]
    service = service_token(client)
    config = SchemathesisConfig.from_dict({
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "parameters": {
            "path.AccountId": {"dictionary": "accounts", "probability": 0.7},
            "path.ConsentId": {"dictionary": "consents", "probability": 0.7},
        },
        "operations": [
            # Consents are the client's: its client-credentials token. Permissions the
            # sandbox does not serve, an expiry in the past or a window ending before it
            # starts are business rules no schema states: the documented 400. The sandbox
            # takes no encrypted (application/jose+jwe) body: the documented 415.
            {"include-path-regex": "account-access-consents",
             "parameters": {"header.Authorization": f"Bearer {service}"},
             "checks": {"positive_data_acceptance": {
                 "expected-statuses": ["2xx", "400", "415"]}}},
            # Reads carry the customer's token; an id the consent does not cover is OB's
            # 400 (UK.OBIE.Resource.NotFound).
            {"exclude-path-regex": "account-access-consents",
             "parameters": {"header.Authorization": f"Bearer {psu}"},
             "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}}},
        ],
        "dictionaries": {"accounts": {"values": accounts}, "consents": {"values": waiting}},
    })
    document = {**published(), "servers": [{"url": f"http://localhost{BASE}"}]}
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app
    return schema


schema = schemathesis.pytest.from_fixture("published_api").include(path_regex=SERVED)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32 reads ``node._nodeid``, which pytest 9 no longer sets."""
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
def test_the_dialect_conforms_to_the_published_document(case):
    case.call_and_validate()
