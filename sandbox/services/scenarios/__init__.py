"""Scenario documents: add or override banks, clients, customers, accounts, balances,
transactions, receipts and shipments in one database transaction.

A document has the shape of the export (DESIGN.md §5) with every field optional but the
identifying ones; what is left out is generated, with the functions seeding uses. Validation
happens in two passes, both naming the path of every error
(``banks[0].customers[2].accounts[0].transactions[5].amount``): the marshmallow schema
(:mod:`~sandbox.services.scenarios.schema`), then what needs the database (unknown
merchants, accounts of someone else, receipts that do not add up). An invalid document
changes nothing.

- :mod:`~sandbox.services.scenarios.document`: the text, the bundled scenarios, the errors;
- :mod:`~sandbox.services.scenarios.fields`, :mod:`~sandbox.services.scenarios.schema`:
  the document's shape;
- :mod:`~sandbox.services.scenarios.apply`: load a document, create a customer, inject
  transactions;
- :mod:`~sandbox.services.scenarios.loader`: the state of one load;
- :mod:`~sandbox.services.scenarios.banks`, ``customers``, ``transactions``, ``receipts``,
  ``parcels``, ``consents``: each part of the document.
"""
from sandbox.services.scenarios.apply import add_transactions, create_customer, load
from sandbox.services.scenarios.document import (
    DocumentError, ScenarioInvalid, bundled_scenario, mimetype_of, parse_document,
)

__all__ = ["DocumentError", "ScenarioInvalid", "add_transactions", "bundled_scenario",
           "create_customer", "load", "mimetype_of", "parse_document"]
