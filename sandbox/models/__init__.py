"""SQLAlchemy models, one module per domain. Importing this package registers them all."""
from sandbox.models.audit import AccessLogEntry
from sandbox.models.banking import Account, Bank, Customer, Merchant, Receipt, Shipment, Transaction
from sandbox.models.oauth import (
    AuthorizationCode,
    Consent,
    OAuthClient,
    PushedRequest,
    SigningKey,
    Token,
)
from sandbox.models.world import WorldState

__all__ = [
    "AccessLogEntry", "Account", "AuthorizationCode", "Bank", "Consent", "Customer", "Merchant",
    "OAuthClient", "PushedRequest", "Receipt", "Shipment", "SigningKey", "Token", "Transaction",
    "WorldState",
]
