"""``GET {iss}/v1/receipts`` and ``/receipts/{receipt_id}``."""
from flask.views import MethodView
from flask_smorest import abort

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, LIST_HEADERS, NO_ACCOUNT, conditional, conditional_answer, connection,
    data_blueprint, invalid_cursor, json_answer, not_found, page_limit, path_parameter, render,
    request_path,
)
from sandbox.api.receipts.schemas import ReceiptArgs, ReceiptPageSchema, ReceiptSchema
from sandbox.services import access_log, receipts
from sandbox.services.paging import InvalidCursor, page_size_max

blp = data_blueprint("receipts",
                     "Itemised receipts of purchases, with their order's shipments.")

RECEIPT_ID = path_parameter("receipt_id", "A receipt id, e.g. a transaction's `receipt_id`.",
                            "rcp_27c8ceb7c61ec93b09822005")
NO_RECEIPT = "No receipt with this id is visible to the token's consent."
RECEIPT_PAGE, RECEIPT = ReceiptPageSchema(), ReceiptSchema()


@blp.route("/receipts")
class Receipts(MethodView):
    @requires("receipts")
    @blp.arguments(ReceiptArgs(), location="query")
    @blp.response(200, ReceiptPageSchema, headers=LIST_HEADERS)
    @not_found(blp, NO_ACCOUNT)
    def get(self, grant, args):
        """List receipts

        Receipts of purchases on the consent's accounts (or on `account_id`), newest first.
        """
        limit = page_limit(args.pop("limit"), page_size_max(grant.bank_id))
        cursor = args.pop("cursor", None)
        try:
            page = receipts.receipt_page(grant, receipts.Filters(**args), limit, cursor)
        except InvalidCursor:
            invalid_cursor()
        if page is None:
            abort(404, message=NO_ACCOUNT)
        access_log.record(connection(), grant, "receipts", args.get("account_id"),
                          request_path())
        return json_answer(render(RECEIPT_PAGE, page))


@blp.route("/receipts/<receipt_id>", parameters=[RECEIPT_ID])
class Receipt(MethodView):
    @requires("receipts")
    @blp.response(200, ReceiptSchema, headers=ITEM_HEADERS)
    @conditional(blp, RECEIPT_ID)
    @not_found(blp, NO_RECEIPT)
    def get(self, grant, receipt_id):
        """Get one receipt"""
        receipt = receipts.get_receipt(grant, receipt_id)
        if receipt is None:
            abort(404, message=NO_RECEIPT)
        access_log.record(connection(), grant, "receipt", receipt_id, request_path())
        return conditional_answer(render(RECEIPT, receipt))
