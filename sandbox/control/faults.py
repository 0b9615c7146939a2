"""``/sandbox/faults``: persistent fault rules and bank maintenance windows."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import abort

from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.faults import rules
from sandbox.faults.spec import validate_fault

blp = AdminBlueprint("sandbox-faults", __name__, description="Fault injection rules and "
                     "maintenance windows (QA control plane).")


class FaultRuleSchema(ma.Schema):
    """Inject a fault into matching data API and token requests."""

    bank_id = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "Only requests to this bank; null: every bank.", "example": "harborline"})
    client_id = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "Only requests of this OAuth client (the bearer token's client on the "
                       "data API, the authenticated client on the token endpoint); null: any."})
    path = ma.fields.String(load_default="*", metadata={
        "description": "Glob over the request path (`*` also crosses `/`), e.g. "
                       "`/banks/*/v1/accounts/*/transactions`.", "example": "*/transactions"})
    fault = ma.fields.String(required=True, validate=validate_fault, metadata={
        "description": "What to inject, in the X-Sandbox-Fault syntax: `status=503`, "
                       "`status=429;retry_after=30`, `latency=750ms`, `timeout`, `drop`, "
                       "combined with `,`.", "example": "status=503"})
    probability = ma.fields.Float(load_default=1.0, validate=ma.validate.Range(0, 1), metadata={
        "description": "Share of matching requests that get the fault (0 to 1).", "example": 0.2})
    seed = ma.fields.Integer(load_default=0, metadata={
        "description": "Seed of the rule's draws: the n-th matching request's draw depends only "
                       "on (seed, n), so a run repeats exactly."})
    matched = ma.fields.Integer(dump_only=True, metadata={
        "description": "Requests that matched the rule since it was set."})
    injected = ma.fields.Integer(dump_only=True, metadata={
        "description": "Requests that got the fault."})


class MaintenanceSchema(ma.Schema):
    """A window, in sandbox-clock time, during which a bank answers 503 on everything."""

    bank_id = ma.fields.String(required=True, metadata={
        "description": "The bank under maintenance.", "example": "juniper"})
    starts_at = Instant(required=True, data_key="from", metadata={
        "description": "Start of the window (sandbox clock, inclusive).",
        "example": "2026-03-01T12:00:00Z"})
    ends_at = Instant(required=True, data_key="to", metadata={
        "description": "End of the window (exclusive); Retry-After counts down to it.",
        "example": "2026-03-01T14:00:00Z"})

    @ma.validates_schema
    def _ordered(self, data: dict, **_kwargs) -> None:
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            raise ma.ValidationError("`to` must be after `from`.", "to")


class FaultsSchema(ma.Schema):
    """The whole fault configuration."""

    rules = ma.fields.List(ma.fields.Nested(FaultRuleSchema), load_default=list, metadata={
        "description": "Rules, applied in order; the faults of every rule that fires combine."})
    maintenance = ma.fields.List(ma.fields.Nested(MaintenanceSchema), load_default=list,
                                 metadata={"description": "Maintenance windows."})


@blp.route("/faults")
class Faults(MethodView):
    @blp.admin
    @blp.response(200, FaultsSchema)
    def get(self):
        """List the fault rules (with their counters) and maintenance windows."""
        return rules.listing(db.session)

    @blp.admin
    @blp.arguments(FaultsSchema, example={
        "rules": [{"bank_id": "harborline", "path": "*/transactions", "fault": "status=503",
                   "probability": 0.25, "seed": 7}],
        "maintenance": [{"bank_id": "juniper", "from": "2026-03-01T12:00:00Z",
                         "to": "2026-03-01T14:00:00Z"}]})
    @blp.response(200, FaultsSchema)
    def put(self, config):
        """Replace every fault rule and maintenance window (counters restart at zero)."""
        unknown = rules.unknown_banks(db.session, config)
        if unknown:
            abort(422, errors={"json": unknown})
        rules.replace(db.session, config["rules"], config["maintenance"])
        return rules.listing(db.session)

    @blp.admin
    @blp.response(204)
    def delete(self):
        """Remove every fault rule and maintenance window."""
        rules.clear(db.session)
