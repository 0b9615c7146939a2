"""Webhook subscription bodies."""
import marshmallow as ma

from sandbox.control.fields import Instant
from sandbox.services.webhooks.events import EVENT_TYPES

EVENTS_DESCRIPTION = ("Event types to receive: "
                      + ", ".join(f"`{name}`" for name in EVENT_TYPES) + ".")


class SubscriptionCreateSchema(ma.Schema):
    """A new subscription."""

    url = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=2000),
        metadata={"description": "Where events are POSTed: https, or plain http on loopback "
                                 "(localhost, 127.0.0.1, ::1) for local development.",
                  "example": "https://bot.example/webhooks/sandbank"})
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES),
                         metadata={"description": "An event type."}),
        required=True, validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"description": EVENTS_DESCRIPTION,
                  "example": ["transaction.created", "consent.revoked"]})


class SubscriptionSchema(ma.Schema):
    """A subscription (its secret is shown only when it is created)."""

    id = ma.fields.String(metadata={"description": "Subscription id.",
                                    "example": "whk_5f0c3a9e2b7d41c68e1a0b3c"})
    url = ma.fields.String(metadata={"description": "Where events are POSTed."})
    events = ma.fields.List(ma.fields.String(metadata={"description": "An event type."}),
                            metadata={"description": EVENTS_DESCRIPTION})
    created_at = Instant(metadata={"description": "When it was created (sandbox clock)."})


class SubscriptionCreatedSchema(SubscriptionSchema):
    """A subscription just created, with the secret its deliveries are signed with."""

    secret = ma.fields.String(metadata={
        "description": "HMAC-SHA256 key of the `Sandbank-Signature` header. Shown only in "
                       "this answer: store it.",
        "example": "whsec_2Qz7oFh0m9Xn1c4bV8kL3pR6tY5uW0eA-sDfGhJkLzX"})


class SubscriptionListSchema(ma.Schema):
    """The client's subscriptions at this bank."""

    data = ma.fields.List(ma.fields.Nested(SubscriptionSchema),
                          metadata={"description": "Subscriptions, oldest first."})
    next_cursor = ma.fields.String(allow_none=True, metadata={
        "description": "Always null: a client holds at most 20 subscriptions."})
