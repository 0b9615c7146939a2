"""The control plane opens only with the admin key; the development key only on loopback."""
from __future__ import annotations

import pytest

from sandbox import create_app
from sandbox.network import is_loopback_host


@pytest.mark.parametrize(
    ("headers", "detail"),
    [({}, "needs the X-Sandbox-Admin-Key header"),
     ({"X-Sandbox-Admin-Key": "guess"}, "does not match")],
)
def test_missing_or_wrong_key_is_a_401_problem(bare_app, headers, detail):
    response = bare_app.test_client().get("/sandbox/clock", headers=headers)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert detail in response.json["detail"]
    assert "X-Sandbox-Admin-Key" in response.headers["WWW-Authenticate"]


def test_development_key_opens_the_control_plane_on_loopback(bare_app, admin):
    response = bare_app.test_client().get("/sandbox/clock", headers=admin)

    assert response.status_code == 200
    assert set(response.json) == {"now", "frozen"}


@pytest.mark.parametrize("address", ["10.0.0.8", "0.0.0.0", "sandbox.example.test"])
def test_development_key_is_refused_off_loopback(bare_app, admin, address):
    client = bare_app.test_client()
    response = client.get("/sandbox/clock", headers=admin,
                          environ_overrides={"SERVER_NAME": address})

    assert response.status_code == 401
    assert "only on loopback" in response.json["detail"]


def test_a_configured_key_is_the_only_key(bare_app, admin):
    app = create_app({**bare_app.config, "SANDBOX_ADMIN_KEY": "s3cret-key"})
    client = app.test_client()
    public = {"SERVER_NAME": "10.0.0.8"}

    assert client.get("/sandbox/clock", headers=admin).status_code == 401
    assert client.get("/sandbox/clock", headers={"X-Sandbox-Admin-Key": "s3cret-key"},
                      environ_overrides=public).status_code == 200


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.1", True), ("127.8.9.10:8000", True), ("::1", True),
     ("[::1]:8000", True), ("LOCALHOST", True), ("0.0.0.0", False), ("10.0.0.8", False),
     ("example.test", False), ("", False), (None, False)],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


def test_every_control_operation_documents_the_key_and_its_401(bare_app):
    spec = bare_app.test_client().get("/openapi.json").json
    operations = [(path, method, operation)
                  for path, item in spec["paths"].items() if path.startswith("/sandbox/")
                  for method, operation in item.items() if method in ("get", "post", "put",
                                                                      "delete", "patch")]

    assert len(operations) >= 10
    for path, method, operation in operations:
        assert operation["security"] == [{"SandboxAdminKey": []}], (method, path)
        assert "401" in operation["responses"], (method, path)
    scheme = spec["components"]["securitySchemes"]["SandboxAdminKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header",
                                                              "X-Sandbox-Admin-Key")
