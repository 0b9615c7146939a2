"""``POST /sandbox/banks/{bank_id}/consents/{consent_id}/revoke``: QA revokes as the bank."""
from __future__ import annotations

from datetime import timedelta

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Consent

BANK = "harborline"


def mint(client, admin, username="user_good") -> dict:
    answer = client.post(f"/sandbox/banks/{BANK}/tokens", headers=admin,
                         json={"username": username, "scope": "accounts"})
    assert answer.status_code == 201
    return answer.get_json()


def revoke(client, admin, consent_id, bank=BANK):
    return client.post(f"/sandbox/banks/{bank}/consents/{consent_id}/revoke", headers=admin)


def test_revoking_stops_the_tokens_and_says_the_operator_did(client, admin):
    token = mint(client, admin)
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get(f"/banks/{BANK}/v1/accounts", headers=bearer).status_code == 200

    answer = revoke(client, admin, token["consent_id"])

    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["revoked_by"]) == ("revoked", "operator")
    assert client.get(f"/banks/{BANK}/v1/accounts", headers=bearer).status_code == 401
    again = revoke(client, admin, token["consent_id"])
    assert again.status_code == 200 and again.json["revoked_at"] == answer.json["revoked_at"]


def test_unknown_consents_and_banks_are_404_problems(client, admin):
    token = mint(client, admin)
    for bank, consent_id, field in ((BANK, "cns_nope", "consent_id"),
                                    ("juniper", token["consent_id"], "consent_id"),
                                    ("nobank", token["consent_id"], "bank_id")):
        answer = revoke(client, admin, consent_id, bank)
        assert answer.status_code == 404
        assert answer.mimetype == "application/problem+json"
        assert field in str(answer.json), answer.json


def test_an_expired_consent_cannot_be_revoked(app, client, admin):
    token = mint(client, admin)
    with app.app_context():
        consent = db.session.get(Consent, token["consent_id"])
        consent.expires_at = clock.read(db.session)[0] - timedelta(seconds=1)
        db.session.commit()

    answer = revoke(client, admin, token["consent_id"])

    assert answer.status_code == 409
    assert "expired" in answer.json["detail"]


def test_the_admin_key_is_required(client, admin):
    token = mint(client, admin)
    answer = client.post(f"/sandbox/banks/{BANK}/consents/{token['consent_id']}/revoke")
    assert answer.status_code == 401
    assert client.get(f"/banks/{BANK}/v1/accounts", headers={
        "Authorization": f"Bearer {token['access_token']}"}).status_code == 200
