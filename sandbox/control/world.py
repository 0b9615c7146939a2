"""``/sandbox/reset``, ``/sandbox/export`` and ``/sandbox/fixtures``: the world as a whole."""
from __future__ import annotations

import tempfile

import marshmallow as ma
from flask import Response, current_app, request
from flask.views import MethodView

from sandbox import clock
from sandbox.control.customers import CreatedCustomerSchema
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.services import scenarios, snapshots
from sandbox.services.export import export_world

blp = AdminBlueprint("sandbox-world", __name__,
                     description="Reset, export and load the world (QA control plane).")

_EXPORT_CHUNK = 256 * 1024


class ResetSchema(ma.Schema):
    """What to reset to; absent fields keep the live world's seeding parameters."""

    seed = ma.fields.Integer(metadata={"description": "World seed.", "example": 42})
    customers = ma.fields.Integer(validate=ma.validate.Range(0, 100_000), metadata={
        "description": "Generated customers per bank."})
    months = ma.fields.Integer(validate=ma.validate.Range(1, 120), metadata={
        "description": "Months of history."})
    as_of = ma.fields.Date(allow_none=True, metadata={
        "description": "Freeze the clock at noon UTC of this day; null: a running clock.",
        "example": "2026-03-01"})


class ResetResultSchema(ma.Schema):
    """The world now live."""

    seed = ma.fields.Integer(metadata={"description": "World seed."})
    customers = ma.fields.Integer(metadata={"description": "Generated customers per bank."})
    months = ma.fields.Integer(metadata={"description": "Months of history."})
    as_of = ma.fields.Date(allow_none=True, metadata={"description": "As-of day, or null."})
    snapshot = ma.fields.Boolean(metadata={
        "description": "True when a stored snapshot was restored; false when the world was "
                       "seeded anew (the first reset to these parameters)."})
    seconds = ma.fields.Float(metadata={"description": "Time the reset took."})


class ExportArgs(ma.Schema):
    """Export options."""

    bank_id = ma.fields.String(metadata={"description": "Export this bank only."})


class LoadCountsSchema(ma.Schema):
    """How many of each kind the document added or updated."""

    banks = ma.fields.Integer(metadata={"description": "Banks."})
    customers = ma.fields.Integer(metadata={"description": "Customers."})
    accounts = ma.fields.Integer(metadata={"description": "Accounts."})
    transactions = ma.fields.Integer(metadata={"description": "Transactions."})
    receipts = ma.fields.Integer(metadata={"description": "Receipts."})
    shipments = ma.fields.Integer(metadata={"description": "Shipments."})
    clients = ma.fields.Integer(metadata={"description": "OAuth clients."})
    consents = ma.fields.Integer(metadata={"description": "Consents granted (with tokens)."})


class LoadResultSchema(ma.Schema):
    """What a scenario document changed."""

    counts = ma.fields.Nested(LoadCountsSchema, metadata={"description": "Rows per kind."})
    customers = ma.fields.List(ma.fields.Nested(CreatedCustomerSchema), metadata={
        "description": "Each customer of the document, in document order, with its "
                       "credentials, ids and minted tokens."})


@blp.route("/reset")
class Reset(MethodView):
    @blp.admin
    @blp.arguments(ResetSchema, example={"seed": 42, "as_of": "2026-03-01"})
    @blp.response(200, ResetResultSchema)
    def post(self, spec):
        """Return to a freshly seeded world (restoring a snapshot when one exists).

        Everything QA changed is gone: loaded scenarios, injected transactions, minted
        tokens, fault rules, clock moves.
        """
        settings = snapshots.SnapshotSettings.from_config(current_app.config,
                                                          current_app.instance_path)
        live = snapshots.current_params(db.session, settings.defaults)
        params = snapshots.WorldParams(
            seed=spec.get("seed", live.seed), customers=spec.get("customers", live.customers),
            months=spec.get("months", live.months), as_of=spec.get("as_of", live.as_of))
        db.session.remove()  # the reset works on the database itself, with no transaction open
        result = snapshots.reset(db.engine, params, settings)
        clock.forget()
        return result


@blp.route("/export")
class Export(MethodView):
    @blp.admin
    @blp.arguments(ExportArgs, location="query")
    @blp.response(200, description="The world in the export format of `sandbox export` "
                                   "(DESIGN.md §5), streamed.",
                  content_type="application/json")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args):
        """Export the world (or one bank) exactly as `sandbox export` does."""
        spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        try:
            export_world(db.session, spool, now=clock.now(),
                         base_url=current_app.config.get("SANDBOX_BASE_URL"),
                         bank_id=args.get("bank_id"))
        except BaseException:
            spool.close()
            raise
        spool.seek(0)

        def chunks():
            with spool:
                while chunk := spool.read(_EXPORT_CHUNK):
                    yield chunk

        return Response(chunks(), mimetype="application/json")


@blp.route("/fixtures")
class Fixtures(MethodView):
    @blp.admin
    @blp.doc(requestBody={
        "required": True,
        "description": "A scenario document (JSON, or YAML with `Content-Type: "
                       "application/yaml`) in the shape of the export format.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}},
                    "application/yaml": {"schema": {"type": "string"}}},
    })
    @blp.response(201, LoadResultSchema)
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self):
        """Load a scenario document: add or override banks, customers, accounts, balances,
        transactions, receipts, shipments and clients, in one transaction (an invalid
        document changes nothing; every error names its path)."""
        document = scenarios.parse_document(request.get_data(as_text=True), request.mimetype)
        return scenarios.load(db.session, document, now=clock.now())
