"""UK Open Banking, Account and Transaction API 4.0 (AISP), under
``{iss}/open-banking/v4.0/aisp``: account-access consents, accounts, balances, transactions
and parties, thin views over the services the v1 API uses (docs/dialects-ukob.md)."""
from sandbox.dialects import Dialect
from sandbox.dialects.ukob import accounts, consents, document, transactions  # noqa: F401
from sandbox.dialects.ukob.protocol import PATH, blp

DIALECT = Dialect(id="ukob", standard="UK Open Banking Account and Transaction API",
                  version="4.0.0", path=PATH, blueprint=blp, openapi=document.served)
