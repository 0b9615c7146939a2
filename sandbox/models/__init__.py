"""SQLAlchemy models, one module per domain. Importing this package registers them all."""
from sandbox.models.api_cache import TransactionJson
from sandbox.models.audit import AccessLogEntry
from sandbox.models.banking import Account, Bank, Customer, Merchant, Receipt, Shipment, Transaction
from sandbox.models.cards import DeclinedAuthorization
from sandbox.models.faults import FaultRule, MaintenanceWindow
from sandbox.models.idempotency import IdempotencyRecord
from sandbox.models.oauth import (
    AuthorizationCode,
    Consent,
    OAuthClient,
    PushedRequest,
    SigningKey,
    Token,
)
from sandbox.models.signin import SignInSession, SignInThrottle
from sandbox.models.snapshots import WorldOrigin
from sandbox.models.ukob import UkobConsent
from sandbox.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookNotice,
    WebhookSubscription,
)
from sandbox.models.world import WorldState

__all__ = [
    "AccessLogEntry", "Account", "AuthorizationCode", "Bank", "Consent", "Customer", "FaultRule",
    "MaintenanceWindow", "Merchant",
    "OAuthClient", "PushedRequest", "Receipt", "Shipment", "SignInSession", "SignInThrottle",
    "SigningKey", "Token", "Transaction",
    "TransactionJson", "UkobConsent", "WorldOrigin", "WorldState",
    "DeclinedAuthorization", "IdempotencyRecord", "WebhookAttempt", "WebhookDelivery",
    "WebhookNotice", "WebhookSubscription",
]
