"""``{iss}/v1/accounts/{account_id}/card/…``, ``…/alerts``, ``PATCH {iss}/v1/accounts/{id}``
and ``POST {iss}/v1/transfers``: acting for the person (scope ``manage``)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from sandbox import clock
from sandbox.api.accounts.schemas import AccountSchema
from sandbox.api.auth import requires
from sandbox.api.common import IF_NONE_MATCH, URL_PREFIX
from sandbox.api.manage.idempotent import idempotent
from sandbox.api.manage.schemas import (
    AlertsSchema,
    AlertsStateSchema,
    CardSchema,
    NicknameSchema,
    TransferCreateSchema,
    TransferSchema,
)
from sandbox.extensions import db
from sandbox.services import manage
from sandbox.services.representation import account_dict
from sandbox.services.tokens import Grant

blp = Blueprint("manage", __name__, url_prefix=URL_PREFIX,
                description="Account management for the person: card lock, alerts, nickname "
                            "and transfers between their own accounts (scope `manage`).")


def _card(grant: Grant, account_id: str, locked: bool) -> dict:
    account = manage.consented_account(db.session, grant, account_id)
    manage.set_card_lock(db.session, account, locked, now=clock.now())
    return {"account_id": account.id, "status": "locked" if account.card_locked else "unlocked"}


@blp.route("/accounts/<account_id>/card/lock")
class CardLock(MethodView):
    @requires("manage")
    @idempotent
    @blp.response(200, CardSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, grant: Grant, account_id: str):
        """Lock the account's card.

        New purchases are declined until it is unlocked. Locking a locked card changes
        nothing.
        """
        return _card(grant, account_id, True)


@blp.route("/accounts/<account_id>/card/unlock")
class CardUnlock(MethodView):
    @requires("manage")
    @idempotent
    @blp.response(200, CardSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, grant: Grant, account_id: str):
        """Unlock the account's card."""
        return _card(grant, account_id, False)


@blp.route("/accounts/<account_id>/alerts")
class Alerts(MethodView):
    @requires("manage")
    @blp.arguments(AlertsSchema)
    @blp.response(200, AlertsStateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, grant: Grant, body: dict, account_id: str):
        """Set the account's low-balance alert (`balance.low` webhook event)."""
        account = manage.consented_account(db.session, grant, account_id)
        manage.set_low_balance_alert(db.session, account, body["low_balance_threshold"],
                                     now=clock.now())
        return {"account_id": account.id, "currency": account.currency,
                "low_balance_threshold": account.low_balance_threshold}


# The same URL as ``GET`` in ``sandbox.api.accounts`` (its path-level parameters repeated, so
# the OpenAPI path reads the same whichever blueprint registers last).
@blp.route("/accounts/<account_id>", parameters=[IF_NONE_MATCH])
class AccountNickname(MethodView):
    @requires("manage")
    @blp.arguments(NicknameSchema)
    @blp.response(200, AccountSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, grant: Grant, body: dict, account_id: str):
        """Rename an account for the person

        Sets the account's `nickname` (null or blank removes it); answers the account.
        """
        account = manage.consented_account(db.session, grant, account_id)
        manage.set_nickname(account, body["nickname"])
        return account_dict(account)


@blp.route("/transfers")
class Transfers(MethodView):
    @requires("manage")
    @idempotent
    @blp.arguments(TransferCreateSchema)
    @blp.response(201, TransferSchema)
    def post(self, grant: Grant, body: dict):
        """Move money between the person's own accounts

        Posted at once: answers the transfer and its two transactions; balances and running
        balances follow. Refused with 422 naming the field for a non-positive amount,
        insufficient funds, or a closed, foreign or ineligible account.
        """
        return manage.transfer(db.session, grant, body["from_account_id"],
                               body["to_account_id"], body["amount"], body["memo"],
                               now=clock.now())
