"""UK Open Banking, Account and Transaction API 4.0 (AISP), under
``{iss}/open-banking/v4.0/aisp``: account-access consents, accounts, balances, transactions
and parties, thin views over the services the v1 API uses (docs/dialects-ukob.md).

Its published document, ``uk-ob-account-info-4.0.0.json``, is vendored unmodified beside this
module (Open Banking Limited, Account and Transaction API Specification 4.0.0, from
OpenBankingUK/read-write-api-specs ``dist/openapi/account-info-openapi.json``, under the Open
Banking open licence, https://www.openbanking.org.uk/open-licence; see ``NOTICE.md``) and
served at ``/openapi/ukob.json``."""
from importlib.resources import files

from sandbox.dialects import Dialect
from sandbox.dialects.ukob import accounts, consents, transactions  # noqa: F401
from sandbox.dialects.ukob.protocol import PATH, blp, failure

STANDARD = "UK Open Banking Account and Transaction API"
DIALECT = Dialect(
    id="ukob", standard=STANDARD, version="4.0.0", path=PATH, blueprint=blp, failure=failure,
    documents={"ukob.json": (f"{STANDARD} 4.0.0",
                             files(__name__) / "uk-ob-account-info-4.0.0.json")})
