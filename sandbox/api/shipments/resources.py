"""``GET {iss}/v1/shipments`` and ``/shipments/{shipment_id}``."""
from flask.views import MethodView

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, LIST_HEADERS, conditional, conditional_answer, data_blueprint, json_answer,
    log_read, not_found, path_parameter, render,
)
from sandbox.api.shipments.schemas import ShipmentArgs, ShipmentPageSchema, ShipmentSchema
from sandbox.extensions import db
from sandbox.services import tracking
from sandbox.services.paging import page_limit
from sandbox.services.tracking import NO_SHIPMENT

blp = data_blueprint("shipments", "Parcels of the customer's online orders, tracked by "
                                  "the sandbox clock.")

SHIPMENT_ID = path_parameter("shipment_id", "A shipment id, e.g. from a receipt's `shipments`.",
                             "shp_27c8ceb7c61ec93b098220050")
SHIPMENT_PAGE, SHIPMENT = ShipmentPageSchema(), ShipmentSchema()


@blp.route("/shipments")
class Shipments(MethodView):
    @requires("shipments")
    @blp.arguments(ShipmentArgs(), location="query")
    @blp.response(200, ShipmentPageSchema, headers=LIST_HEADERS)
    def get(self, grant, args):
        """List shipments

        The customer's parcels, newest first; status and events as they stand at the sandbox
        clock's now.
        """
        limit = page_limit(args["limit"], grant.page_size_max)
        page = tracking.shipment_page(db.session, grant, args.get("status"), limit,
                                      args.get("cursor"))
        log_read(grant, "shipments", None)
        return json_answer(render(SHIPMENT_PAGE, page))


@blp.route("/shipments/<shipment_id>", parameters=[SHIPMENT_ID])
class Shipment(MethodView):
    @requires("shipments")
    @blp.response(200, ShipmentSchema, headers=ITEM_HEADERS)
    @conditional(blp, SHIPMENT_ID)
    @not_found(blp, NO_SHIPMENT)
    def get(self, grant, shipment_id):
        """Get one shipment"""
        shipment = tracking.get_shipment(db.session, grant, shipment_id)
        log_read(grant, "shipment", shipment_id)
        return conditional_answer(render(SHIPMENT, shipment))
