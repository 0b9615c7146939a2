"""``GET {iss}/v1/receipts`` and ``/receipts/{receipt_id}``."""
from flask.views import MethodView

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, LIST_HEADERS, conditional, conditional_answer, data_blueprint, json_answer,
    log_read, not_found, path_parameter, render,
)
from sandbox.api.receipts.schemas import ReceiptArgs, ReceiptPageSchema, ReceiptSchema
from sandbox.extensions import db
from sandbox.services import receipts
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.paging import page_limit
from sandbox.services.receipts import NO_RECEIPT

blp = data_blueprint("receipts",
                     "Itemised receipts of purchases, with their order's shipments.")

RECEIPT_ID = path_parameter("receipt_id", "A receipt id, e.g. a transaction's `receipt_id`.",
                            "rcp_27c8ceb7c61ec93b09822005")
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
        limit = page_limit(args.pop("limit"), grant.page_size_max)
        cursor = args.pop("cursor", None)
        page = receipts.receipt_page(db.session, grant, receipts.Filters(**args), limit, cursor)
        log_read(grant, "receipts", args.get("account_id"))
        return json_answer(render(RECEIPT_PAGE, page))


@blp.route("/receipts/<receipt_id>", parameters=[RECEIPT_ID])
class Receipt(MethodView):
    @requires("receipts")
    @blp.response(200, ReceiptSchema, headers=ITEM_HEADERS)
    @conditional(blp, RECEIPT_ID)
    @not_found(blp, NO_RECEIPT)
    def get(self, grant, receipt_id):
        """Get one receipt"""
        receipt = receipts.get_receipt(db.session, grant, receipt_id)
        log_read(grant, "receipt", receipt_id)
        return conditional_answer(render(RECEIPT, receipt))
