"""``/sandbox/access-log``: every data read through the API, for QA assertions."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.services.access_log import access_log_page

blp = AdminBlueprint("sandbox-access-log", __name__,
                     description="The access log of data reads (QA control plane).")


class AccessLogArgs(ma.Schema):
    """Filters (all optional, combined with AND) and paging."""

    bank_id = ma.fields.String(metadata={"description": "Only reads at this bank."})
    client_id = ma.fields.String(metadata={"description": "Only reads by this OAuth client."})
    customer_id = ma.fields.String(metadata={"description": "Only reads of this customer's data."})
    username = ma.fields.String(metadata={"description": "Only reads of this username's data."})
    consent_id = ma.fields.String(metadata={"description": "Only reads under this consent."})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 500),
                              metadata={"description": "Page size, 1 to 500."})
    cursor = ma.fields.String(metadata={"description": "`next_cursor` of the previous page."})


class AccessLogEntrySchema(ma.Schema):
    """One data read."""

    id = ma.fields.Integer(metadata={"description": "Entry number, increasing with time."})
    at = Instant(metadata={"description": "When the read happened (sandbox clock)."})
    bank_id = ma.fields.String(metadata={"description": "The bank read from."})
    client_id = ma.fields.String(metadata={"description": "The OAuth client that read."})
    customer_id = ma.fields.String(metadata={"description": "Whose data was read."})
    username = ma.fields.String(allow_none=True,
                                metadata={"description": "That customer's username."})
    consent_id = ma.fields.String(metadata={"description": "The consent the read was made under."})
    resource = ma.fields.String(metadata={"description": "What kind of data was read, e.g. "
                                                         "`transactions`."})
    resource_id = ma.fields.String(allow_none=True, metadata={
        "description": "The account or item read, when the read names one."})
    path = ma.fields.String(metadata={"description": "The request path of the read."})


class AccessLogPageSchema(ma.Schema):
    """A page of the access log, newest first."""

    data = ma.fields.List(ma.fields.Nested(AccessLogEntrySchema),
                          metadata={"description": "Entries, newest first."})
    next_cursor = ma.fields.String(allow_none=True, metadata={
        "description": "Cursor of the next page; null on the last page."})


@blp.route("/access-log")
class AccessLog(MethodView):
    @blp.admin
    @blp.arguments(AccessLogArgs, location="query")
    @blp.response(200, AccessLogPageSchema)
    def get(self, args):
        """List data reads, filtered by bank, client, customer and consent."""
        return access_log_page(db.session, **args)
