"""``GET {iss}/v1/identity``."""
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, URL_PREFIX, conditional, conditional_answer, connection, render, request_path,
)
from sandbox.api.identity.schemas import IdentitySchema
from sandbox.services import access_log, identity

blp = Blueprint("identity", __name__, url_prefix=URL_PREFIX,
                description="The person behind the consent.")


@blp.route("/identity")
class Identity(MethodView):
    @requires("identity")
    @blp.response(200, IdentitySchema, headers=ITEM_HEADERS)
    @conditional(blp)
    def get(self, grant):
        """Get the customer's identity

        Name, username, email, phone, postal address and home coordinates.
        """
        person = identity.get_identity(grant)
        if person is None:
            abort(404, message="The customer behind this consent no longer exists.")
        access_log.record(connection(), grant, "identity", grant.customer_id, request_path())
        return conditional_answer(render(IdentitySchema(), person))
