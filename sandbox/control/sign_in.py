"""``/sandbox/banks/{bank_id}/sign-in-throttle``: lift the cool-downs of failed sign-ins."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import abort

from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.services import throttle

blp = AdminBlueprint("sandbox-sign-in", __name__,
                     description="Sign-in throttling of the bank pages (QA control plane).")


class ThrottleArgs(ma.Schema):
    """Whose counters to clear."""

    username = ma.fields.String(validate=ma.validate.Length(max=throttle.USERNAME_LENGTH),
                                metadata={"description": "Only this username (default: "
                                                         "every username at the bank)."})


class ClearedSchema(ma.Schema):
    """What was cleared."""

    cleared = ma.fields.Integer(metadata={
        "description": "Counters removed (one per username and factor: password, one-time "
                       "code)."})


@blp.route("/banks/<bank_id>/sign-in-throttle")
class SignInThrottle(MethodView):
    @blp.admin
    @blp.arguments(ThrottleArgs, location="query")
    @blp.response(200, ClearedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, args, bank_id):
        """Forget failed passwords and one-time codes, lifting every cool-down.

        After 5 failed attempts in a row, a username's password (or one-time code) is
        refused for 5 minutes; a reset clears the counters too.
        """
        if db.session.get(Bank, bank_id) is None:
            abort(404, message=f"There is no bank {bank_id!r}.")
        return {"cleared": throttle.clear(db.session, bank_id, args.get("username"))}
