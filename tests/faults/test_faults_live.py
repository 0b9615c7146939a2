"""Faults against the real server (gunicorn, 2 workers): dropped connections, held requests
(the admin key authenticates them), OAuth-shaped token errors a client library understands,
rules shared by the workers."""
from __future__ import annotations

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError

from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.faults.rules import draw

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}


@pytest.fixture(scope="module")
def base(live_server):
    yield live_server
    requests.delete(f"{live_server}/sandbox/faults", headers=ADMIN, timeout=10)


def data_url(base: str) -> str:
    return f"{base}/banks/harborline/v1/accounts"


def test_drop_closes_the_connection_without_an_answer(base):
    with pytest.raises(requests.ConnectionError):
        requests.get(data_url(base), headers={"X-Sandbox-Fault": "drop"}, timeout=10)

    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200


def test_timeout_outlasts_the_clients_patience(base):
    with pytest.raises(requests.ReadTimeout):
        requests.get(data_url(base), headers={"X-Sandbox-Fault": "timeout=1500ms", **ADMIN},
                     timeout=0.3)


def test_a_held_request_ends_in_a_504(base):
    response = requests.get(data_url(base), timeout=10,
                            headers={"X-Sandbox-Fault": "timeout=100ms", **ADMIN})

    assert response.status_code == 504
    assert response.headers["Content-Type"] == "application/problem+json"


def test_latency_delays_the_real_answer(base):
    with pytest.raises(requests.ReadTimeout):
        requests.get(data_url(base), headers={"X-Sandbox-Fault": "latency=1500ms", **ADMIN},
                     timeout=0.3)
    response = requests.get(data_url(base), timeout=10,
                            headers={"X-Sandbox-Fault": "latency=50ms", **ADMIN})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def fetch_token(base: str, fault: str) -> dict:
    session = OAuth2Session("demo-app", "demo-secret", scope="accounts")
    session.headers["X-Sandbox-Fault"] = fault
    return session.fetch_token(f"{base}/banks/harborline/token", grant_type="client_credentials")


def test_an_oauth_client_library_sees_a_token_endpoint_outage(base):
    with pytest.raises(requests.HTTPError) as failed:
        fetch_token(base, "status=503")

    answer = failed.value.response
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "30")
    assert answer.json()["error"] == "temporarily_unavailable"


def test_an_oauth_client_library_reads_a_rate_limit_as_an_oauth_error(base):
    with pytest.raises(OAuthError) as failed:
        fetch_token(base, "status=429;retry_after=9")

    assert failed.value.error == "temporarily_unavailable"


def test_without_a_fault_the_token_endpoint_answers(base):
    session = OAuth2Session("demo-app", "demo-secret", scope="accounts")

    token = session.fetch_token(f"{base}/banks/harborline/token", grant_type="client_credentials")

    assert token["token_type"].lower() == "bearer"


def test_rule_draws_repeat_across_workers(base):
    rule = {"path": "*/v1/accounts", "fault": "status=503", "probability": 0.5, "seed": 11}
    put = requests.put(f"{base}/sandbox/faults", json={"rules": [rule]}, headers=ADMIN,
                       timeout=10)

    seen = [requests.get(data_url(base), timeout=10).status_code == 503 for _ in range(16)]

    assert put.status_code == 200
    assert seen == [draw(11, n) < 0.5 for n in range(1, 17)]
