"""Schemathesis, in process, over every data-API operation with a valid token, and over the
health probes, bank listing and consents: every default check passes (status codes, content
types, schemas and headers as documented, no 5xx, auth enforced, unsupported methods
refused)."""
from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from sandbox.extensions import db
from sandbox.services.paging import encode_cursor
from tests.api.conftest import ALL_SCOPES, customer_of

#: copperleaf serves pages of up to 500 rows, the largest `limit` the schema documents.
BANK = "copperleaf"
#: How many cases each operation gets (keeps the run within the suite's time budget).
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def data_api(app, mint, world):
    """The data API's operations, with a token of user_good and real ids to draw from."""
    customer = customer_of(world, BANK, "user_good")
    accounts = [account["id"] for account in customer["accounts"]]
    transactions = [t["id"] for account in customer["accounts"]
                    for t in account["transactions"]]
    receipts = [t["receipt"]["id"] for account in customer["accounts"]
                for t in account["transactions"] if t["receipt"]]
    shipments = [s["id"] for account in customer["accounts"] for t in account["transactions"]
                 if t["receipt"] for s in t["receipt"]["shipments"]]
    last = customer["accounts"][0]["transactions"][-1]
    with app.app_context():
        from sandbox.clock import parse_instant

        cursors = {kind: encode_cursor(kind, parse_instant(last["authorized_at"]), last["id"])
                   for kind in ("t", "r", "s")}
        db.session.remove()
    token = mint(BANK, "user_good", ALL_SCOPES)
    service = app.test_client().post(f"/banks/{BANK}/token", auth=("demo-app", "demo-secret"),
                                     data={"grant_type": "client_credentials"}).get_json()

    def drawn(name: str) -> dict:
        return {"dictionary": name, "probability": 0.7}

    config = SchemathesisConfig.from_dict({
        "auth": {"openapi": {"bearer": {"bearer": token},
                             "oauthAccessToken": {"bearer": service["access_token"]}}},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "parameters": {
            "path.bank_id": BANK,
            "path.account_id": drawn("accounts"),
            "path.transaction_id": drawn("transactions"),
            "path.receipt_id": drawn("receipts"),
            "path.shipment_id": drawn("shipments"),
            "query.account_id": drawn("accounts"),
        },
        # A cursor is opaque: only values the server issued are valid, which no schema can
        # say. Lists draw real cursors; where schemathesis makes up one (its coverage phase)
        # the documented 422 naming `cursor` is the right answer.
        "operations": [
            {"include-path-regex": f"/{name}$",
             "parameters": {"query.cursor": {"dictionary": f"{kind}_cursors", "probability": 1.0}},
             "checks": {"positive_data_acceptance": {
                 "expected-statuses": ["2xx", "304", "401", "403", "404", "422"]}}}
            for name, kind in (("transactions", "t"), ("receipts", "r"), ("shipments", "s"))
        ] + [
            # Business rules no schema states (an expiry in the past, a transaction window
            # ending before it starts) answer the documented 422 naming the field; unknown
            # consent ids the documented 404.
            {"include-path-regex": "/consents",
             "checks": {"positive_data_acceptance": {
                 "expected-statuses": ["2xx", "401", "403", "404", "422"]}}},
        ],
        "dictionaries": {
            "accounts": {"values": accounts},
            "transactions": {"values": transactions[-40:]},
            "receipts": {"values": receipts[-20:]},
            "shipments": {"values": shipments[-20:] or ["none"]},
            **{f"{kind}_cursors": {"values": [cursor]} for kind, cursor in cursors.items()},
        },
    })
    return schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


#: The data API: the GET operations under ``{iss}/v1`` (account management and webhooks are
#: tested with their own tokens by their own suites).
schema = schemathesis.pytest.from_fixture("data_api").include(
    path_regex=r"^/banks/\{bank_id\}/v1/(accounts|transactions|receipts|shipments|identity)",
    method="GET")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32 reads ``node._nodeid``, which pytest 9 no longer sets."""
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
def test_data_api_conforms_to_its_openapi_document(case):
    case.call_and_validate()


#: The operations beside the data API the document has covered since the start: health
#: probes, the bank listing and consents (with a client-credentials token).
public = schemathesis.pytest.from_fixture("data_api").include(
    path_regex=r"^/(healthz|readyz|banks(/\{bank_id\}(/logo\.svg|/consents.*)?)?)$")


@public.parametrize()
def test_public_and_consent_operations_conform_to_the_openapi_document(case):
    case.call_and_validate()
