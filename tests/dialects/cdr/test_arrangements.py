"""A CDR arrangement is a Sandbank consent: revoking it through ``{iss}/arrangements/revoke``
revokes the consent (its status, its tokens, its ``consent.revoked`` webhook), and only the
client's own active arrangement can be revoked."""
from __future__ import annotations

import sqlalchemy as sa

from tests.dialects.cdr.conftest import BANK, CDR_SCOPES
from tests.services.webhooks.conftest import Kit, receiver  # noqa: F401  (fixture)

SECRET = ("demo-app", "demo-secret")


def test_revoking_an_arrangement_revokes_the_consent(app, client, receiver):  # noqa: F811
    from sandbox.extensions import db
    from sandbox.models import WebhookDelivery

    kit = Kit(app, client)
    kit.subscribe(receiver.url, ["consent.revoked"])
    consent_id = kit.customer_token(CDR_SCOPES)["consent_id"]

    revoked = client.post(f"/banks/{BANK}/arrangements/revoke", auth=SECRET,
                          data={"cdr_arrangement_id": consent_id})
    consent = client.get(f"/banks/{BANK}/consents/{consent_id}",
                         headers={"Authorization": f"Bearer {kit.client_token()}"}).get_json()
    with app.app_context():
        queued = db.session.scalars(sa.select(WebhookDelivery.event_type).where(
            WebhookDelivery.consent_id == consent_id)).all()
        db.session.remove()

    assert revoked.status_code == 204
    assert consent["status"] == "revoked"
    assert queued == ["consent.revoked"]


def test_only_the_clients_own_active_arrangement_is_revoked(app, client):
    kit = Kit(app, client)
    consent_id = kit.customer_token(CDR_SCOPES)["consent_id"]
    registered = client.post(f"/banks/{BANK}/register", json={
        "client_name": "Other", "grant_types": ["client_credentials"], "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic"}).get_json()
    other = (registered["client_id"], registered["client_secret"])

    def revoke(auth, arrangement_id=consent_id):
        return client.post(f"/banks/{BANK}/arrangements/revoke", auth=auth,
                           data={"cdr_arrangement_id": arrangement_id})

    foreign = revoke(other)
    unknown = revoke(SECRET, "cns_unknown")
    missing = client.post(f"/banks/{BANK}/arrangements/revoke", auth=SECRET)
    public = client.post(f"/banks/{BANK}/arrangements/revoke",
                         data={"client_id": "demo-public", "cdr_arrangement_id": consent_id})

    for refused in (foreign, unknown, missing):
        assert refused.status_code == 422
        assert refused.get_json()["errors"][0]["code"] == (
            "urn:au-cds:error:cds-all:Authorisation/InvalidArrangement")
    assert public.status_code == 401
    assert revoke(SECRET).status_code == 204
