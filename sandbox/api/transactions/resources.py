"""``GET {iss}/v1/accounts/{account_id}/transactions`` and ``/transactions/{transaction_id}``.

The list is the hot path: it answers JSON text spliced from cached fragments (see
:mod:`sandbox.services.transactions`); the schemas document exactly that text.
"""
from flask.views import MethodView

from sandbox.api.auth import requires
from sandbox.api.common import (
    ACCOUNT_ID, ITEM_HEADERS, LIST_HEADERS, conditional, conditional_answer, data_blueprint,
    json_answer, log_read, not_found, path_parameter,
)
from sandbox.api.transactions.schemas import (
    TransactionArgs, TransactionPageSchema, TransactionSchema,
)
from sandbox.fastpath import connection
from sandbox.services import transactions
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.paging import page_limit
from sandbox.services.transactions import NO_TRANSACTION

blp = data_blueprint("transactions",
                     "Card, ACH, transfer, fee and interest movements, newest first.")

TRANSACTION_ID = path_parameter("transaction_id", "A transaction id from a transaction list.",
                                "txn_27c8ceb7c61ec93b09822001")


@blp.route("/accounts/<account_id>/transactions", parameters=[ACCOUNT_ID])
class AccountTransactions(MethodView):
    @requires("transactions")
    @blp.arguments(TransactionArgs(), location="query")
    @blp.response(200, TransactionPageSchema, headers=LIST_HEADERS)
    @not_found(blp, NO_ACCOUNT)
    def get(self, grant, args, account_id):
        """List an account's transactions

        Newest first (by `authorized_at`, then `id`), filtered by every argument given.
        Walk the pages with `cursor`: each row comes exactly once, also while new
        transactions arrive. Only transactions inside the consent's transaction window are
        visible.
        """
        limit = page_limit(args.pop("limit"), grant.page_size_max)
        cursor = args.pop("cursor", None)
        page = transactions.transaction_page(connection(), grant, account_id,
                                             transactions.Filters(**args), limit, cursor)
        log_read(grant, "transactions", account_id)
        return json_answer(page)


@blp.route("/transactions/<transaction_id>", parameters=[TRANSACTION_ID])
class Transaction(MethodView):
    @requires("transactions")
    @blp.response(200, TransactionSchema, headers=ITEM_HEADERS)
    @conditional(blp, TRANSACTION_ID)
    @not_found(blp, NO_TRANSACTION)
    def get(self, grant, transaction_id):
        """Get one transaction"""
        body = transactions.get_transaction(connection(), grant, transaction_id)
        log_read(grant, "transaction", transaction_id)
        return conditional_answer(body)
