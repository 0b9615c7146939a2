"""A registered redirect URI that is a path (Sandbank Chat's callback) is on the server itself:
at its public URL, matched exactly, on loopback with any port, and nowhere else."""
import pytest
import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import OAuthClient


def chat_client() -> OAuthClient:
    return db.session.scalar(sa.select(OAuthClient).where(
        OAuthClient.bank_id == "harborline", OAuthClient.client_id == "sandbank-chat"))


@pytest.mark.parametrize(("base", "requested", "accepted"), [
    ("https://sandbank.example", "https://sandbank.example/demo/chat/callback", True),
    ("https://sandbank.example", "https://evil.example/demo/chat/callback", False),
    ("https://sandbank.example", "https://sandbank.example/demo/chat/callback/x", False),
    ("https://sandbank.example", "https://sandbank.example:8443/demo/chat/callback", False),
    ("https://sandbank.example", "/demo/chat/callback", False),
    (None, "http://127.0.0.1:5000/demo/chat/callback", True),
    (None, "http://127.0.0.1:5001/demo/chat/callback", True),
    (None, "http://evil.example/demo/chat/callback", False),
])
def test_a_registered_path_is_on_this_server(app, base, requested, accepted):
    app.config["SANDBOX_BASE_URL"] = base
    try:
        with app.test_request_context(base_url="http://127.0.0.1:5000"):
            client = chat_client()
            assert client.check_redirect_uri(requested) is accepted
            assert client.get_default_redirect_uri() == (
                f"{base or 'http://127.0.0.1:5000'}/demo/chat/callback")
    finally:
        app.config["SANDBOX_BASE_URL"] = None


def test_dynamic_registration_refuses_a_path(client):
    answer = client.post("/banks/harborline/register", json={
        "client_name": "Path", "redirect_uris": ["/demo/chat/callback"],
        "token_endpoint_auth_method": "none"})

    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_redirect_uri"
