"""Finding 13: a ``Host`` header cannot rewrite the issuer, discovery, logos or redirects.

Off loopback (a unix socket, 0.0.0.0) the server answers only for the host of
``SANDBOX_BASE_URL`` and the ``SANDBOX_TRUSTED_HOSTS``, and refuses to start with neither set.
On loopback any Host is still served, and every answer built from it says ``Vary: Host``."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from tests.conftest import TEST_MONTHS
from sandbox.testing.server import sandbox_serve, unix_request

ENV = {"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}
PUBLIC_URL = "https://sandbank.example.test"
EVIL = {"Host": "evil.example"}
DISCOVERY = "/banks/harborline/.well-known/openid-configuration"
#: Pages and documents whose answer carries the server's public URL.
HOST_SHAPED = [DISCOVERY, "/banks", "/banks/harborline", "/"]
AUTHORIZE = ("/banks/harborline/authorize?response_type=code&client_id=demo-app"
             "&redirect_uri=http%3A%2F%2Flocalhost%2Fcallback&scope=openid+accounts")


@pytest.fixture(scope="module")
def public(app, tmp_path_factory):
    """The sandbox on every interface with its public URL set; yields its loopback URL."""
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("any"),
                       host="0.0.0.0", env={**ENV, "SANDBOX_BASE_URL": PUBLIC_URL}) as base:
        yield base


@pytest.mark.parametrize("path", [*HOST_SHAPED, AUTHORIZE, "/healthz", "/sandbox/clock"])
def test_off_loopback_a_foreign_host_is_refused(public, path):
    response = requests.get(f"{public}{path}", headers=EVIL, timeout=10,
                            allow_redirects=False)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Host header" in response.json()["detail"]


@pytest.mark.parametrize("host", ["sandbank.example.test", "127.0.0.1", "localhost:8000"])
def test_off_loopback_the_issuer_is_the_public_url_whatever_trusted_host_is_used(public, host):
    response = requests.get(f"{public}{DISCOVERY}", headers={"Host": host}, timeout=10)

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == f"{PUBLIC_URL}/banks/harborline"
    assert document["authorization_endpoint"].startswith(PUBLIC_URL)
    assert "host" not in response.headers.get("Vary", "").lower()


def test_off_loopback_with_no_public_url_the_server_refuses_to_start(app, tmp_path_factory):
    log = tmp_path_factory.mktemp("untrusted")
    with pytest.raises(RuntimeError, match="did not start"):
        with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], log, host="0.0.0.0", env=ENV):
            pass

    assert "Set SANDBOX_BASE_URL" in (log / "stderr.log").read_text()


def test_a_unix_socket_answers_for_its_trusted_hosts_only(app, tmp_path_factory):
    folder = tmp_path_factory.mktemp("uds")
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], folder / "log",
                       unix_socket=folder / "sandbank.sock",
                       env={**ENV, "SANDBOX_TRUSTED_HOSTS": "sandbank.internal"}) as path:
        trusted = unix_request(path, "GET", DISCOVERY, {"Host": "sandbank.internal"})
        foreign = unix_request(path, "GET", DISCOVERY, EVIL)

    assert trusted.status == 200
    assert json.loads(trusted.body)["issuer"] == "http://sandbank.internal/banks/harborline"
    assert "Host" in trusted.getheader("Vary")
    assert foreign.status == 400


@pytest.mark.parametrize("path", HOST_SHAPED)
def test_on_loopback_any_host_is_served_and_the_answer_varies_by_host(live_server, path):
    response = requests.get(f"{live_server}{path}", headers=EVIL, timeout=10)

    assert response.status_code == 200
    assert "Host" in response.headers["Vary"]
    assert "evil.example" in response.text


def test_the_posted_authorization_request_continues_on_a_relative_url(live_server):
    query = dict(parse_qsl(urlsplit(AUTHORIZE).query))
    response = requests.post(f"{live_server}/banks/harborline/authorize", data=query,
                             headers=EVIL, timeout=10, allow_redirects=False)

    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).netloc == ""
