"""Parcels of a scenario's receipts: the timeline the document gives, or a journey whose
latest event at the sandbox clock's now has the status it asks for (what follows is planned
after now, so the parcel moves on as the clock does); carrier and tracking number as the
generator draws them (:mod:`sandbox.synth.parcels`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sandbox import catalog, clock
from sandbox.models import Customer
from sandbox.services.scenarios.loader import Loader
from sandbox.synth import keys
from sandbox.synth.parcels import pick_carrier, tracking_number

_DELIVERED = ("label_created", "in_transit", "out_for_delivery", "delivered")
#: Per status asked for: the journey, and the index of the step the parcel is at now.
SHIPMENT_FLOWS = {
    "label_created": (_DELIVERED, 0),
    "in_transit": (_DELIVERED, 1),
    "out_for_delivery": (_DELIVERED, 2),
    "delivered": (_DELIVERED, 3),
    "delayed": (("label_created", "in_transit", "delayed", "in_transit", "out_for_delivery",
                 "delivered"), 2),
    "exception": (("label_created", "in_transit", "exception"), 2),
}
EVENT_TEXT = {"label_created": "Shipping label created", "in_transit": "In transit",
              "out_for_delivery": "Out for delivery", "delivered": "Delivered",
              "delayed": "Delayed: the parcel will arrive later than expected",
              "exception": "Delivery exception: the parcel could not be delivered"}


def build_parcel(load: Loader, doc: dict, customer: Customer, receipt: dict, suffix: str,
                 ordered: datetime, path: str) -> dict | None:
    """The shipment row of ``doc`` for ``receipt``, or None after recording an error."""
    city = f"{customer.city}, {customer.region}"
    if doc.get("events"):
        events = [{"at": clock.iso(e["at"]), "status": e["status"],
                   "description": e.get("description") or EVENT_TEXT[e["status"]],
                   "city": e.get("city") or city} for e in doc["events"]]
        if [e["at"] for e in events] != sorted(e["at"] for e in events):
            load.error(f"{path}.events", "Events must be in time order.")
            return None
    else:
        events = _timeline(load, doc["status"], ordered, city)
    pickup = next((e["at"] for e in events if e["status"] == "in_transit"), events[0]["at"])
    shipped_at = doc.get("shipped_at") or clock.parse_instant(pickup)
    if shipped_at < ordered:
        load.error(f"{path}.shipped_at", "A parcel ships after the purchase.")
        return None
    delivered = [e["at"] for e in events if e["status"] == "delivered"]
    estimate = doc.get("estimated_delivery") or (
        date.fromisoformat(delivered[-1][:10]) if delivered
        else shipped_at.date() + timedelta(days=3))
    rng = keys.rng(load.seed, "parcel", suffix)
    carriers = catalog.merchant_catalogue()["carriers"]
    carrier = next((c for c in carriers if c["name"] == doc.get("carrier")), None) \
        or pick_carrier(rng, carriers)
    tracking = doc.get("tracking_number") or tracking_number(rng, carrier)
    return {"id": doc.get("id") or f"shp_{suffix}", "receipt_id": receipt["id"],
            "customer_id": customer.id, "order_id": doc.get("order_id") or receipt["order_id"],
            "carrier": doc.get("carrier") or carrier["name"], "tracking_number": tracking,
            "shipped_at": shipped_at, "estimated_delivery": estimate, "events": events}


def _timeline(load: Loader, status: str, ordered: datetime, city: str) -> list[dict]:
    """A journey whose latest event at now has ``status``; what follows is planned
    after now, so the parcel moves on as the clock does."""
    flow, current = SHIPMENT_FLOWS[status]
    last_past = max(ordered, load.now - timedelta(hours=1))
    span = last_past - ordered
    events = []
    for index, step in enumerate(flow):
        if index <= current:
            at = ordered + span * (index + 1) / (current + 1)
        else:
            at = load.now + timedelta(days=index - current)
        events.append({"at": clock.iso(at), "status": step, "description": EVENT_TEXT[step],
                       "city": city})
    return events
