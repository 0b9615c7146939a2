"""Finding 2: the development admin key works only while every bound socket is loopback.

Behind nginx the sandbox listens on a unix socket; a client that sends ``Host: localhost``
through the proxy must not be taken for a loopback caller. Whether the server is on loopback
is decided from the sockets it is bound to, never from the request."""
from __future__ import annotations

import json

import pytest
import requests

from sandbox.config import DEFAULT_ADMIN_KEY
from tests.conftest import TEST_MONTHS
from sandbox.testing.server import sandbox_serve, unix_request

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
ENV = {"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}
PUBLIC = {**ENV, "SANDBOX_BASE_URL": "https://sandbank.example.test"}


@pytest.fixture(scope="module")
def behind_nginx(app, tmp_path_factory):
    """The sandbox on a unix socket, as behind a reverse proxy; yields the socket's path."""
    folder = tmp_path_factory.mktemp("uds")
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], folder / "log",
                       unix_socket=folder / "sandbank.sock", env=PUBLIC) as path:
        yield path


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "localhost:8000"])
def test_a_loopback_host_header_on_a_unix_socket_does_not_open_the_control_plane(
        behind_nginx, host):
    answer = unix_request(behind_nginx, "GET", "/sandbox/clock", {**ADMIN, "Host": host})

    assert answer.status == 401
    assert answer.getheader("Content-Type") == "application/problem+json"
    assert "only on loopback" in json.loads(answer.body)["detail"]


def test_the_configured_key_still_opens_a_unix_socket_server(app, tmp_path_factory):
    folder = tmp_path_factory.mktemp("uds-key")
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], folder / "log",
                       unix_socket=folder / "sandbank.sock",
                       env={**PUBLIC, "SANDBOX_ADMIN_KEY": "k-7f3e9c"}) as path:
        default = unix_request(path, "GET", "/sandbox/clock", ADMIN)
        configured = unix_request(path, "GET", "/sandbox/clock",
                                  {"X-Sandbox-Admin-Key": "k-7f3e9c"})

    assert (default.status, configured.status) == (401, 200)


def test_every_interface_refuses_the_default_key_even_from_loopback(app, tmp_path_factory):
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("any"),
                       host="0.0.0.0", env=PUBLIC) as base:
        answer = requests.get(f"{base}/sandbox/clock", headers=ADMIN, timeout=10)

    assert answer.status_code == 401
    assert "only on loopback" in answer.json()["detail"]


@pytest.mark.parametrize(("host", "status"), [
    ("localhost", 200), ("127.0.0.1:8000", 200), ("[::1]", 200),
    ("rebound.example.test", 401), ("rebound.example.test:8000", 401)])
def test_a_loopback_bind_takes_the_default_key_only_for_a_loopback_host(live_server, host,
                                                                        status):
    """DNS rebinding: a web page whose name now resolves to 127.0.0.1 sends its own name as
    Host, and the public default key must not open the control plane for it."""
    answer = requests.get(f"{live_server}/sandbox/clock", timeout=10,
                          headers={**ADMIN, "Host": host})

    assert answer.status_code == status
