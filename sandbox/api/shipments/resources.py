"""``GET {iss}/v1/shipments`` and ``/shipments/{shipment_id}``."""
from flask.views import MethodView
from flask_smorest import abort

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, LIST_HEADERS, conditional, conditional_answer, connection, data_blueprint,
    invalid_cursor, json_answer, not_found, page_limit, path_parameter, render, request_path,
)
from sandbox.api.shipments.schemas import ShipmentArgs, ShipmentPageSchema, ShipmentSchema
from sandbox.services import access_log, tracking
from sandbox.services.paging import InvalidCursor, page_size_max

blp = data_blueprint("shipments", "Parcels of the customer's online orders, tracked by "
                                  "the sandbox clock.")

SHIPMENT_ID = path_parameter("shipment_id", "A shipment id, e.g. from a receipt's `shipments`.",
                             "shp_27c8ceb7c61ec93b098220050")
NO_SHIPMENT = "No shipment with this id is visible to the token's consent."
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
        limit = page_limit(args["limit"], page_size_max(grant.bank_id))
        try:
            page = tracking.shipment_page(grant, args.get("status"), limit, args.get("cursor"))
        except InvalidCursor:
            invalid_cursor()
        access_log.record(connection(), grant, "shipments", None, request_path())
        return json_answer(render(SHIPMENT_PAGE, page))


@blp.route("/shipments/<shipment_id>", parameters=[SHIPMENT_ID])
class Shipment(MethodView):
    @requires("shipments")
    @blp.response(200, ShipmentSchema, headers=ITEM_HEADERS)
    @conditional(blp, SHIPMENT_ID)
    @not_found(blp, NO_SHIPMENT)
    def get(self, grant, shipment_id):
        """Get one shipment"""
        shipment = tracking.get_shipment(grant, shipment_id)
        if shipment is None:
            abort(404, message=NO_SHIPMENT)
        access_log.record(connection(), grant, "shipment", shipment_id, request_path())
        return conditional_answer(render(SHIPMENT, shipment))
