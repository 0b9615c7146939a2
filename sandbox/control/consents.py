"""``/sandbox/banks/{bank_id}/consents/{consent_id}/revoke``: revoke a consent as the bank's
operator would, for QA (its tokens stop working; ``consent.revoked`` fires with reason
``operator``)."""
from __future__ import annotations

from flask.views import MethodView

from sandbox import clock
from sandbox.control.guard import AdminBlueprint
from sandbox.errors import Conflict, NotFound
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.oauth.schemas import ConsentSchema
from sandbox.services import consents

blp = AdminBlueprint("sandbox-consents", __name__,
                     description="Consents revoked by the bank's operator (QA control plane).")


@blp.route("/banks/<bank_id>/consents/<consent_id>/revoke")
class RevokeConsent(MethodView):
    @blp.admin
    @blp.response(200, ConsentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, bank_id, consent_id):
        """Revoke a consent: every token issued under it stops working at once.

        `consent.revoked` fires with `reason` = `operator`. Revoking a revoked consent
        answers it unchanged; an expired or rejected one cannot be revoked (409).
        """
        if db.session.get(Bank, bank_id) is None:
            raise NotFound(f"There is no bank {bank_id!r}.", field="bank_id", location="path")
        consent = consents.find_consent(db.session, bank_id, consent_id)
        if consent is None:
            raise NotFound(f"There is no consent {consent_id!r} at {bank_id}.",
                           field="consent_id", location="path")
        now = clock.now()
        consents.revoke(db.session, consent, now=now, by="operator")
        if consent.status != "revoked":
            raise Conflict(f"The consent is {consent.effective_status(now)}: only an "
                           "authorized or awaiting consent can be revoked.",
                           field="consent_id", location="path")
        return consent
