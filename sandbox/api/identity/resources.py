"""``GET {iss}/v1/identity``."""
from flask.views import MethodView

from sandbox.api.auth import requires
from sandbox.api.common import (
    ITEM_HEADERS, conditional, conditional_answer, data_blueprint, log_read, not_found,
    render,
)
from sandbox.api.identity.schemas import IdentitySchema
from sandbox.extensions import db
from sandbox.services import identity
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
        log_read(grant, "identity", grant.customer_id)
        return conditional_answer(render(IDENTITY, person))
