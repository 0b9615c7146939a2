"""What an event is: its types, the scopes that entitle a consent to it, its ids, the JSON
body POSTed and the signature of that body."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime

from sandbox.services.representation import instant

EVENT_TYPES = (
    "transaction.created", "transaction.posted", "balance.low", "shipment.updated",
    "consent.revoked", "consent.expired", "card.locked", "card.unlocked",
)

#: Scopes of which a consent needs one to hear about an event (any of them). Consent events
#: have none: they go to the client of the consent they are about, whatever its scopes.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "transaction.created": frozenset({"transactions"}),
    "transaction.posted": frozenset({"transactions"}),
    "balance.low": frozenset({"balances"}),
    "shipment.updated": frozenset({"shipments"}),
    "card.locked": frozenset({"accounts", "manage"}),
    "card.unlocked": frozenset({"accounts", "manage"}),
}

SIGNATURE_HEADER = "Sandbank-Signature"
EVENT_ID_HEADER = "Sandbank-Event-Id"


def new_id(prefix: str) -> str:
    """An opaque, unguessable id with a readable prefix."""
    return f"{prefix}_{secrets.token_hex(12)}"


def ordered_id(prefix: str) -> str:
    """An unguessable id that sorts by creation time (so deliveries go out in the order their
    events were raised)."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(6)}"


def body_of(event_id: str, event_type: str, created_at: datetime, bank_id: str,
            consent_id: str, data: dict) -> str:
    """The exact JSON text POSTed (and signed) for an event."""
    return json.dumps({
        "id": event_id, "type": event_type, "created_at": instant(created_at),
        "bank_id": bank_id,
        "consent_id": consent_id, "data": data,
    }, sort_keys=True, separators=(",", ":"))


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Sandbank-Signature`` value: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
