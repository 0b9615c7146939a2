"""``/sandbox/webhooks``: fire events on demand, read the delivery log, redeliver."""
from __future__ import annotations

import json

import marshmallow as ma
from flask.views import MethodView

from sandbox import clock
from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.services.webhooks import deliveries, fire
from sandbox.services.webhooks.events import EVENT_TYPES

blp = AdminBlueprint("sandbox-webhooks", __name__,
                     description="Webhooks: fire events, delivery log, redelivery (QA control "
                                 "plane).")

STATUSES = ("pending", "delivered", "failed", "cancelled")


class FireSchema(ma.Schema):
    """An event to raise now, for one client's consent of one customer."""

    type = ma.fields.String(required=True, validate=ma.validate.OneOf(EVENT_TYPES),
                            metadata={"description": "The event type.",
                                      "example": "transaction.created"})
    bank_id = ma.fields.String(required=True, metadata={"description": "The bank.",
                                                        "example": "harborline"})
    client_id = ma.fields.String(required=True, metadata={
        "description": "The subscribed client; it must hold a consent of the customer.",
        "example": "demo-app"})
    username = ma.fields.String(required=True, metadata={
        "description": "The customer's username at the bank.", "example": "user_good"})
    account_id = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "Only this consented account (default: any consented account)."})
    subject_id = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "The transaction (`transaction.*`) or shipment (`shipment.updated`) "
                       "the event is about (default: the latest one)."})


class FiredSchema(ma.Schema):
    """Events queued for delivery."""

    event_ids = ma.fields.List(ma.fields.String(metadata={"description": "An event id."}),
                               metadata={"description": "Ids of the events queued, one per "
                                                        "consent; each goes to every matching "
                                                        "subscription of the client."})


class DeliveryQuerySchema(ma.Schema):
    """Filters of the delivery log."""

    bank_id = ma.fields.String(metadata={"description": "Only this bank."})
    client_id = ma.fields.String(metadata={"description": "Only this client."})
    subscription_id = ma.fields.String(metadata={"description": "Only this subscription."})
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES), metadata={
        "description": "Only deliveries in this state."})
    type = ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES), metadata={
        "description": "Only this event type."})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200), metadata={
        "description": "Page size, 1 to 200."})
    cursor = ma.fields.String(validate=ma.validate.Length(1, 200), metadata={
        "description": "`next_cursor` of the previous page."})


class AttemptSchema(ma.Schema):
    """One POST of a delivery."""

    number = ma.fields.Integer(metadata={"description": "1 for the first attempt, and so on."})
    at = Instant(metadata={"description": "When it was made (sandbox clock)."})
    worker = ma.fields.String(metadata={"description": "The worker that made it "
                                                       "(host:pid:tag)."})
    duration_ms = ma.fields.Integer(metadata={"description": "How long the POST took."})
    status_code = ma.fields.Integer(allow_none=True, metadata={
        "description": "The receiver's HTTP status; null when there was no answer."})
    error = ma.fields.String(allow_none=True, metadata={
        "description": "Why it failed (non-2xx answer, timeout, connection error); null on "
                       "success."})


class DeliverySchema(ma.Schema):
    """One event bound for one subscription, and how its delivery went."""

    id = ma.fields.String(metadata={"description": "Delivery id."})
    event_id = ma.fields.String(metadata={"description": "The event id (`Sandbank-Event-Id`), "
                                                         "the same on every attempt."})
    event_type = ma.fields.String(metadata={"description": "The event type."})
    subscription_id = ma.fields.String(metadata={"description": "The subscription."})
    bank_id = ma.fields.String(metadata={"description": "The bank."})
    client_id = ma.fields.String(metadata={"description": "The client."})
    consent_id = ma.fields.String(allow_none=True, metadata={"description": "The consent."})
    status = ma.fields.String(metadata={"description": "`pending`, `delivered`, `failed` (out "
                                                       "of attempts) or `cancelled` "
                                                       "(subscription deleted)."})
    created_at = Instant(metadata={"description": "When the event was raised (sandbox clock)."})
    next_attempt_at = Instant(allow_none=True, metadata={
        "description": "When the next attempt is due (sandbox clock); null unless pending."})
    delivered_at = Instant(allow_none=True, metadata={"description": "When it was delivered."})
    last_status_code = ma.fields.Integer(allow_none=True, metadata={
        "description": "HTTP status of the latest attempt."})
    last_error = ma.fields.String(allow_none=True, metadata={
        "description": "Error of the latest attempt."})
    payload = ma.fields.Dict(metadata={"description": "The JSON body POSTed."})
    attempts = ma.fields.List(ma.fields.Nested(AttemptSchema),
                              metadata={"description": "Every attempt, oldest first."})


class DeliveryListSchema(ma.Schema):
    """A page of the delivery log, newest first."""

    data = ma.fields.List(ma.fields.Nested(DeliverySchema), metadata={
        "description": "Deliveries."})
    next_cursor = ma.fields.String(allow_none=True, metadata={
        "description": "Cursor of the next page; null on the last page."})


def _view(row, attempts) -> dict:
    return {
        "id": row.id, "event_id": row.event_id, "event_type": row.event_type,
        "subscription_id": row.subscription_id, "bank_id": row.bank_id,
        "client_id": row.client_id, "consent_id": row.consent_id, "status": row.status,
        "created_at": row.created_at,
        "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
        "delivered_at": row.delivered_at, "last_status_code": row.last_status_code,
        "last_error": row.last_error, "payload": json.loads(row.body), "attempts": attempts,
    }


@blp.route("/webhooks/fire")
class Fire(MethodView):
    @blp.admin
    @blp.arguments(FireSchema)
    @blp.response(202, FiredSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, body: dict):
        """Raise an event now for a client and customer.

        The event is about their real data (the latest transaction or shipment unless one is
        named) and is delivered like any other, subject to the consent's scopes and accounts.
        404: no such customer; 409: the client has no subscription to the event type, no
        consent of the customer, or none entitled to this event.
        """
        return {"event_ids": fire.fire(
            db.session, body["type"], now=clock.now(), bank_id=body["bank_id"],
            client_id=body["client_id"], username=body["username"],
            account_id=body["account_id"], subject_id=body["subject_id"])}


@blp.route("/webhooks/deliveries")
class Deliveries(MethodView):
    @blp.admin
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliveryListSchema)
    def get(self, query: dict):
        """The delivery log.

        Every event bound for every subscription, newest first, with its attempts (status
        codes, timings, errors).
        """
        page, cursor = deliveries.deliveries(
            db.session, bank_id=query.get("bank_id"), client_id=query.get("client_id"),
            subscription_id=query.get("subscription_id"), status=query.get("status"),
            event_type=query.get("type"), cursor=query.get("cursor"), limit=query["limit"])
        attempts = deliveries.attempts_of(db.session, [row.id for row in page])
        return {"data": [_view(row, attempts[row.id]) for row in page], "next_cursor": cursor}


@blp.route("/webhooks/deliveries/<delivery_id>")
class Delivery(MethodView):
    @blp.admin
    @blp.response(200, DeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, delivery_id: str):
        """One delivery with its payload and attempts."""
        row = deliveries.find(db.session, delivery_id)
        return _view(row, deliveries.attempts_of(db.session, [delivery_id])[delivery_id])


@blp.route("/webhooks/deliveries/<delivery_id>/redeliver")
class Redeliver(MethodView):
    @blp.admin
    @blp.response(202, DeliverySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, delivery_id: str):
        """Send a delivery again, now.

        Same event id and body, with a fresh attempt budget, whether it was delivered, failed
        or pending; not once its subscription is deleted.
        """
        row = deliveries.redeliver(db.session, delivery_id, now=clock.now())
        return _view(row, deliveries.attempts_of(db.session, [delivery_id])[delivery_id])
