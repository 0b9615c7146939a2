"""The CDR Common operations (``cdr-common-1.36.0.json``) under ``{iss}/cds-au/v1``: the
customer behind the arrangement and the public status of the implementation."""
from __future__ import annotations

from sandbox import clock
from sandbox.api.auth import authorize
from sandbox.api.common import log_read
from sandbox.dialects.cdr import mapping
from sandbox.dialects.cdr.banking import answer, blp, single
from sandbox.dialects.cdr.errors import NOT_FOUND, CdrError
from sandbox.dialects.cdr.negotiation import versioned
from sandbox.dialects.cdr.paging import self_link
from sandbox.extensions import db
from sandbox.oauth.resource import CUSTOMER
from sandbox.services import banks, identity
from sandbox.services.representation import instant

CUSTOMER_BASIC = "common:customer.basic:read"


@blp.route("/common/customer")
@versioned(1)
def get_customer(bank_id: str):
    """Get Customer (``getCustomer``, version 1)."""
    grant = authorize(bank_id, CUSTOMER, CUSTOMER_BASIC)
    person = identity.get_identity(db.session, grant)
    log_read(grant, "identity", grant.customer_id)
    return single(mapping.customer(person))


@blp.route("/discovery/status")
@versioned(1)
def get_status(bank_id: str):
    """Get Status (``getStatus``, version 1): ``OK`` whenever it answers (a maintenance
    window of the control plane answers 503 before this view runs)."""
    if banks.get_bank(db.session, bank_id) is None:
        raise CdrError(404, NOT_FOUND, f"There is no bank {bank_id!r}.")
    return answer({"data": {"status": "OK", "updateTime": instant(clock.now())},
                   "links": {"self": self_link()}, "meta": {}})
