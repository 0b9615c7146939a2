"""Reading the consent's customer: who the person is and how to reach them."""
from __future__ import annotations

from sandbox.extensions import db
from sandbox.models import Customer
from sandbox.services.representation import customer_dict
from sandbox.services.tokens import Grant


def get_identity(grant: Grant) -> dict | None:
    """The customer behind the grant (DESIGN.md §5 customer fields), or None."""
    customer = db.session.get(Customer, grant.customer_id)
    if customer is None or customer.bank_id != grant.bank_id:
        return None
    return customer_dict(customer)
