"""The plugin's control-plane client revokes a consent as the bank's operator."""
from __future__ import annotations

import pytest

from sandbox.testing.admin import ControlPlaneError, SandboxAdmin, app_transport


def test_revoke_consent_stops_the_token(app, client):
    admin = SandboxAdmin(app_transport(app))
    token = admin.token("harborline", "user_good", "accounts")

    consent = admin.revoke_consent("harborline", token.consent_id)

    assert (consent["status"], consent["revoked_by"]) == ("revoked", "operator")
    assert client.get("/banks/harborline/v1/accounts", headers=token.headers).status_code == 401
    with pytest.raises(ControlPlaneError) as refused:
        admin.revoke_consent("harborline", "cns_unknown")
    assert refused.value.status == 404
