"""``GET {iss}/v1/accounts``, ``/accounts/{account_id}`` and ``/accounts/{account_id}/balances``."""
from flask.views import MethodView

from sandbox.api.accounts.schemas import AccountListSchema, AccountSchema, BalancesSchema
from sandbox.api.auth import requires
from sandbox.api.common import (
    ACCOUNT_ID, ITEM_HEADERS, LIST_HEADERS, conditional, conditional_answer, data_blueprint,
    json_answer, log_read, not_found, render,
)
from sandbox.extensions import db
from sandbox.services import accounts
from sandbox.services.accounts import NO_ACCOUNT

blp = data_blueprint("accounts", "The accounts the consent covers, and their balances.")
ACCOUNT_LIST, ACCOUNT, BALANCES = AccountListSchema(), AccountSchema(), BalancesSchema()


@blp.route("/accounts")
class Accounts(MethodView):
    @requires("accounts")
    @blp.response(200, AccountListSchema, headers=LIST_HEADERS)
    def get(self, grant):
        """List the consent's accounts

        Every account the person selected when granting the consent, in the bank's order.
        """
        data = accounts.list_accounts(db.session, grant)
        log_read(grant, "accounts", None)
        return json_answer(render(ACCOUNT_LIST, {"data": data, "next_cursor": None}))


@blp.route("/accounts/<account_id>", parameters=[ACCOUNT_ID])
class Account(MethodView):
    @requires("accounts")
    @blp.response(200, AccountSchema, headers=ITEM_HEADERS)
    @conditional(blp, ACCOUNT_ID)
    @not_found(blp, NO_ACCOUNT)
    def get(self, grant, account_id):
        """Get one account"""
        account = accounts.get_account(db.session, grant, account_id)
        log_read(grant, "account", account_id)
        return conditional_answer(render(ACCOUNT, account))


@blp.route("/accounts/<account_id>/balances", parameters=[ACCOUNT_ID])
class Balances(MethodView):
    @requires("balances")
    @blp.response(200, BalancesSchema, headers=ITEM_HEADERS)
    @conditional(blp, ACCOUNT_ID)
    @not_found(blp, NO_ACCOUNT)
    def get(self, grant, account_id):
        """Get an account's balances

        Balances at the sandbox clock's now: `current`, `available` and, for cards,
        `credit_limit`.
        """
        balances = accounts.get_balances(db.session, grant, account_id)
        log_read(grant, "balances", account_id)
        return conditional_answer(render(BALANCES, balances))
