"""``{iss}/v1/webhooks``: a client's webhook subscriptions, with a client-credentials token."""
from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_smorest import Blueprint

from sandbox import clock
from sandbox.api import auth
from sandbox.api.manage.idempotent import idempotent
from sandbox.api.webhooks.schemas import (
    SubscriptionCreatedSchema,
    SubscriptionCreateSchema,
    SubscriptionListSchema,
)
from sandbox.extensions import db
from sandbox.oauth.resource import CLIENT
from sandbox.services.tokens import Grant
from sandbox.services.webhooks import subscriptions

blp = Blueprint("webhooks", __name__, url_prefix="/banks/<bank_id>/v1",
                description="Webhook subscriptions: events about the client's consents, "
                            "POSTed and signed (client-credentials token).")


def client_grant(bank_id: str) -> Grant:
    """The grant of the request's client-credentials token for ``bank_id``: the data API's
    bearer path, refusing a customer's token (403)."""
    return auth.authorize(bank_id, CLIENT)


def requires_client(view):
    """Decorate a view: authorize the client and pass its grant after ``self``."""
    document = Blueprint.doc(security=[{auth.SECURITY_SCHEME: []}],
                             responses={401: auth.INVALID_TOKEN, 403: "FORBIDDEN"})

    @wraps(view)
    def wrapper(self, *args, bank_id: str, **kwargs):
        return view(self, client_grant(bank_id), *args, **kwargs)

    return document(wrapper)


@blp.route("/webhooks")
class Subscriptions(MethodView):
    @requires_client
    @blp.response(200, SubscriptionListSchema)
    def get(self, grant: Grant):
        """List the client's subscriptions (without their secrets)."""
        return {"data": subscriptions.subscriptions(db.session, grant.bank_id,
                                                    grant.client_id),
                "next_cursor": None}

    @requires_client
    @idempotent
    @blp.arguments(SubscriptionCreateSchema)
    @blp.response(201, SubscriptionCreatedSchema)
    def post(self, grant: Grant, body: dict):
        """Subscribe a URL to event types.

        The answer shows the signing secret, once.
        """
        return subscriptions.subscribe(db.session, grant.bank_id, grant.client_id, body["url"],
                                       body["events"], now=clock.now())


@blp.route("/webhooks/<subscription_id>")
class Subscription(MethodView):
    @requires_client
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, grant: Grant, subscription_id: str):
        """Delete a subscription; its undelivered events are cancelled."""
        subscriptions.unsubscribe(db.session, grant.bank_id, grant.client_id, subscription_id,
                                  now=clock.now())
