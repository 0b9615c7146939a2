"""The public bank listing: policies, brand, test users and demo clients, and each logo."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from sandbox.errors import PROBLEM_JSON, ProblemSchema
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.pagepolicy import SVG_POLICY
from sandbox.services import banks
from sandbox.web.schemas import BankDetailSchema, BankListSchema
from sandbox.web.urls import public_base_url

blp = Blueprint("banks", __name__, description="The fictional banks of the sandbox, with their "
                "policies, test users and demo clients. Sandbox credentials are public.")

BANK_ID = {"in": "path", "name": "bank_id", "description": "Bank id, as listed by `GET /banks`.",
           "example": "harborline"}
SVG = "image/svg+xml"


def bank_or_404(bank_id: str) -> Bank:
    """The bank with this id, or a 404 problem."""
    bank = banks.get_bank(db.session, bank_id)
    if bank is None:
        abort(404, message=f"There is no bank {bank_id!r}: see GET /banks.")
    return bank


@blp.route("/banks")
class Banks(MethodView):
    @blp.response(200, BankListSchema)
    def get(self):
        """List the banks.

        Each bank is its own OAuth 2.0 / OpenID Connect issuer with its own policies.
        """
        base = public_base_url()
        return {"banks": [banks.describe(bank, base) for bank in banks.list_banks(db.session)]}


@blp.route("/banks/<bank_id>", parameters=[BANK_ID])
class BankDetail(MethodView):
    @blp.response(200, BankDetailSchema)
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM_JSON,
                      description="No bank has this id.")
    def get(self, bank_id):
        """Show a bank with its test users and demo clients."""
        return banks.describe_in_full(db.session, bank_or_404(bank_id), public_base_url())


@blp.route("/banks/<bank_id>/logo.svg", parameters=[BANK_ID])
class BankLogo(MethodView):
    @blp.response(200, {"type": "string"}, content_type=SVG, description="The logo, SVG.")
    @blp.alt_response(404, schema=ProblemSchema, content_type=PROBLEM_JSON,
                      description="No bank has this id.")
    def get(self, bank_id):
        """Get a bank's logo."""
        return Response(banks.logo_svg(bank_or_404(bank_id)), mimetype=SVG, headers={
            "Cache-Control": "public, max-age=3600", "Content-Security-Policy": SVG_POLICY})
