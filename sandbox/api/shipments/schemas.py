"""Shapes of shipments and the arguments of the shipment list (DESIGN.md §2, §5)."""
import marshmallow as ma

from sandbox.api.common import PageArgs, Schema, day, instant, one_of, text
from sandbox.vocabulary import SHIPMENT_STATUSES as STATUSES


class EventSchema(Schema):
    """A tracking event."""

    at = instant("When it happened.", required=True)
    status = one_of("The parcel's status from then on.", STATUSES, required=True)
    description = text("What happened.", "Arrived at sort facility", required=True)
    city = text("Where: city and state.", "Denver, CO", required=True)


class ShipmentSchema(Schema):
    """A parcel of an online order, as it stands at the sandbox clock's now."""

    id = text("Shipment id.", "shp_27c8ceb7c61ec93b098220050", required=True)
    order_id = text("The online order.", "ord_27c8ceb7c61ec93b09822005", required=True)
    receipt_id = text("The order's receipt.", "rcp_27c8ceb7c61ec93b09822005", required=True)
    carrier = text("Carrier name.", "Northstar Express", required=True)
    tracking_number = text("Carrier tracking number.", "NX409088898906", required=True)
    status = one_of("Current status: the status of the latest event.", STATUSES,
                    required=True)
    shipped_at = instant("When the carrier picked it up; null before.", required=True,
                         allow_none=True)
    estimated_delivery = day("Estimated delivery day.", required=True)
    delivered_at = instant("When it was delivered; null until then.", required=True,
                           allow_none=True)
    events = ma.fields.List(ma.fields.Nested(EventSchema), required=True, metadata={
        "description": "Tracking events so far, oldest first."})


class ShipmentPageSchema(Schema):
    """One page of shipments, newest first."""

    data = ma.fields.List(ma.fields.Nested(ShipmentSchema), required=True,
                          metadata={"description": "The shipments of this page."})
    next_cursor = text("Pass it as `cursor` to get the next page; null on the last page.",
                       required=True, allow_none=True)


class ShipmentArgs(PageArgs):
    """Filters of the shipment list."""

    status = one_of("Only shipments currently in this status.", STATUSES)
