"""Finding 6: ``X-Sandbox-Fault: timeout`` cannot be used to starve the server.

A fault that holds a request (``timeout``, ``latency``) holds it only for a caller that proved
who it is (a live bearer token, client authentication, the admin key); and each worker lends
all its threads but one to holds, answering further holds at once, so ``/healthz`` keeps
answering however many are asked for."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.faults.hook import BUSY
from tests.conftest import TEST_MONTHS

WORKERS, THREADS = 2, 2
#: How long every held request asks to be held (seconds).
HOLD = 10
#: A generous bound: an answer this fast was not held (nor starved behind a hold).
PROMPT = 5
BANK = "/banks/harborline"


@pytest.fixture(scope="module")
def base(app, tmp_path_factory):
    """``sandbox serve`` with 2 workers of 2 threads: at most 2 requests held at once."""
    from sandbox.testing.server import sandbox_serve

    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("holds"),
                       workers=WORKERS, env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)},
                       args=("--threads", str(THREADS))) as url:
        yield url


@pytest.fixture(scope="module")
def bearer(base):
    minted = requests.post(f"{base}/sandbox{BANK}/tokens", json={"username": "user_good"},
                           headers={"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}, timeout=30)
    assert minted.status_code == 201
    return {"Authorization": f"Bearer {minted.json()['access_token']}"}


def timed(method: str, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.request(method, url, timeout=HOLD * 4, **kwargs)
    return response, time.monotonic() - started


def healthz_while(base: str, pending: list) -> list[float]:
    """Seconds each of five ``/healthz`` calls took while ``pending`` requests are in flight."""
    time.sleep(1)
    seconds = []
    for _ in range(5):
        response, elapsed = timed("GET", f"{base}/healthz")
        assert response.status_code == 200
        seconds.append(elapsed)
        time.sleep(0.2)
    assert not all(future.done() for future in pending)
    return seconds


HOLD_FAULT = {"X-Sandbox-Fault": f"timeout={HOLD}s"}
UNAUTHENTICATED = [
    ("GET", f"{BANK}/v1/accounts", {}),
    ("GET", f"{BANK}/v1/accounts", {"headers": {"Authorization": "Bearer forged"}}),
    ("POST", f"{BANK}/token", {"data": {"grant_type": "client_credentials",
                                        "client_id": "demo-public"}}),
    ("POST", f"{BANK}/token", {"data": {"grant_type": "client_credentials"},
                               "auth": ("demo-app", "wrong-secret")}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), UNAUTHENTICATED)
def test_a_hold_without_credentials_is_not_held(base, method, path, kwargs):
    headers = {**HOLD_FAULT, **kwargs.pop("headers", {})}

    response, elapsed = timed(method, f"{base}{path}", headers=headers, **kwargs)

    assert response.status_code in (400, 401)
    assert elapsed < PROMPT


def test_many_unauthenticated_holds_leave_the_server_answering(base):
    with ThreadPoolExecutor(12) as pool:
        pending = [pool.submit(timed, "GET", f"{base}{BANK}/v1/accounts", headers=HOLD_FAULT)
                   for _ in range(12)]
        time.sleep(1)
        health, _ = timed("GET", f"{base}/healthz")
        answers = [future.result() for future in pending]

    assert health.status_code == 200
    assert {response.status_code for response, _ in answers} == {401}
    assert max(elapsed for _, elapsed in answers) < PROMPT


def test_client_authentication_at_the_token_endpoint_holds(base):
    response, elapsed = timed("POST", f"{base}{BANK}/token", auth=("demo-app", "demo-secret"),
                              data={"grant_type": "client_credentials"},
                              headers={"X-Sandbox-Fault": "timeout=2s"})

    assert response.status_code == 504
    assert response.json()["error"] == "temporarily_unavailable"
    assert elapsed >= 2


def test_more_authenticated_holds_than_threads_never_starve_healthz(base, bearer):
    asked = WORKERS * THREADS + 2
    with ThreadPoolExecutor(asked) as pool:
        pending = [pool.submit(timed, "GET", f"{base}{BANK}/v1/accounts",
                               headers={**bearer, **HOLD_FAULT}) for _ in range(asked)]
        health = healthz_while(base, pending)
        answers = [future.result() for future in pending]

    assert max(health) < PROMPT
    held = [elapsed for response, elapsed in answers if response.status_code == 504]
    refused = [(response, elapsed) for response, elapsed in answers
               if response.status_code == 503]
    assert 1 <= len(held) <= WORKERS * (THREADS - 1)
    assert min(held) >= HOLD
    assert len(held) + len(refused) == asked
    for response, elapsed in refused:
        assert response.json()["detail"] == BUSY
        assert response.headers["Retry-After"] == "1"
        assert elapsed < PROMPT
