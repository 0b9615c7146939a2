"""The closed sets of words the sandbox speaks (DESIGN.md §3, §5): one definition each, used
by the generator, the fixtures' and scenarios' validation, the services and the API schemas."""
from __future__ import annotations

ACCOUNT_TYPES = ("checking", "savings", "credit_card", "loan", "mortgage")
#: Account types whose balance is an amount owed.
LIABILITIES = frozenset({"credit_card", "loan", "mortgage"})

TRANSACTION_STATUSES = ("pending", "posted")
CHANNELS = ("in_store", "online", "atm", "ach", "transfer", "check", "fee", "interest")
#: Channels of a card purchase: the ones that can carry a receipt.
CARD_CHANNELS = frozenset({"in_store", "online"})

CATEGORIES = (
    "income", "transfer", "housing", "utilities", "telecom", "insurance", "subscriptions",
    "groceries", "dining", "fuel", "transport", "travel", "shopping", "health", "entertainment",
    "cash", "card_payment", "loan_payment", "fees", "interest", "supplies", "business_services",
)

SHIPMENT_STATUSES = ("label_created", "in_transit", "out_for_delivery", "delivered", "delayed",
                     "exception")

#: Every scope, with the plain words a person reads on the consent page (DESIGN.md §3).
SCOPES: dict[str, str] = {
    "openid": "Confirm who you are when you sign in to the app",
    "profile": "See your name",
    "offline_access": "Keep this access while you are not using the app, until the consent "
                      "expires",
    "accounts": "See the accounts you choose: their names, types and last four digits",
    "balances": "See the balances of those accounts",
    "transactions": "See the transactions of those accounts",
    "receipts": "See itemised receipts of purchases made from those accounts",
    "shipments": "Track deliveries of your online orders",
    "identity": "See your contact details: email, phone number and address",
    "manage": "Lock and unlock cards, set alerts, rename accounts and move money between your "
              "own accounts",
    # Consumer Data Right (Australia) scopes, asked for by apps using the CDR dialect.
    "bank:accounts.basic:read": "See the accounts you choose: their names, types, masked "
                                "numbers and balances",
    "bank:accounts.detail:read": "See the full details of those accounts: account numbers and "
                                 "card details",
    "bank:transactions:read": "See the transactions of those accounts",
    "common:customer.basic:read": "See your name",
}
#: Who may revoke a consent (its ``revoked_by``, the ``reason`` of ``consent.revoked``): the
#: customer (connected apps), the client (``DELETE {iss}/consents/{id}``), the operator
#: (the control plane).
REVOKERS = ("customer", "client", "operator")
#: What each kind of access-log entry read, in the words of the connected-apps page.
READ_RESOURCES: dict[str, str] = {
    "accounts": "your account details", "account": "your account details",
    "balances": "your balances",
    "transactions": "your transactions", "transaction": "your transactions",
    "receipts": "your receipts", "receipt": "your receipts",
    "shipments": "your deliveries", "shipment": "your deliveries",
    "identity": "your contact details",
}
#: What each Consumer Data Right scope grants in Sandbank's own words: a token holding the CDR
#: scope may read what the Sandbank scopes name, through the v1 API as well.
CDR_SCOPES: dict[str, tuple[str, ...]] = {
    "bank:accounts.basic:read": ("accounts", "balances"),
    "bank:accounts.detail:read": ("accounts",),
    "bank:transactions:read": ("transactions",),
    "common:customer.basic:read": ("identity",),
}
#: Scopes an authorization request may carry only when pushed first (RFC 9126), as the CDR
#: requires.
PUSHED_ONLY_SCOPES = frozenset(CDR_SCOPES)
#: Scopes that read or act on accounts: the person must select at least one account.
ACCOUNT_SCOPES = frozenset({"accounts", "balances", "transactions", "receipts", "manage",
                            "bank:accounts.basic:read", "bank:accounts.detail:read",
                            "bank:transactions:read"})


def granted_scopes(scopes: frozenset[str]) -> frozenset[str]:
    """``scopes`` with the Sandbank scopes their CDR scopes grant added."""
    implied = [name for scope in scopes for name in CDR_SCOPES.get(scope, ())]
    return scopes.union(implied) if implied else scopes
