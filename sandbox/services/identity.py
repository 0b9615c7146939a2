"""Reading the consent's customer: who the person is and how to reach them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import Customer
from sandbox.services.representation import customer_dict
from sandbox.services.tokens import Grant

#: The 404 detail when the consent's customer is gone.
NO_CUSTOMER = "The customer behind this consent no longer exists."


def get_identity(session: Session, grant: Grant) -> dict:
    """The customer behind the grant (DESIGN.md §5 customer fields); ``NotFound`` when the
    customer is gone."""
    customer = session.get(Customer, grant.customer_id)
    if customer is None or customer.bank_id != grant.bank_id:
        raise NotFound(NO_CUSTOMER)
    return customer_dict(customer)
