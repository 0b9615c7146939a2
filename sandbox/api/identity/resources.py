"""``GET {iss}/v1/identity``."""
from flask.views import MethodView

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, conditional, conditional_answer, data_blueprint, not_found, render,
    request_path,
)
from sandbox.api.identity.schemas import IdentitySchema
from sandbox.extensions import db
from sandbox.fastpath import connection
from sandbox.services import access_log, identity
from sandbox.services.identity import NO_CUSTOMER

blp = data_blueprint("identity", "The person behind the consent.")
IDENTITY = IdentitySchema()


@blp.route("/identity")
class Identity(MethodView):
    @requires("identity")
    @blp.response(200, IdentitySchema, headers=ITEM_HEADERS)
    @conditional(blp)
    @not_found(blp, NO_CUSTOMER)
    def get(self, grant):
        """Get the customer's identity

        Name, username, email, phone, postal address and home coordinates.
        """
        person = identity.get_identity(db.session, grant)
        access_log.record(connection(), grant, "identity", grant.customer_id, request_path())
        return conditional_answer(render(IDENTITY, person))
