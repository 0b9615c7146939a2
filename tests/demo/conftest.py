"""Sandbank Chat's tests run against a live server (the chat calls the banks over HTTP)."""
import time

import pytest
import requests

from sandbox.testing.admin import SandboxAdmin, http_transport

CHAT_CLIENT = ("sandbank-chat", "chat-secret")


@pytest.fixture(scope="module")
def admin(live_server) -> SandboxAdmin:
    return SandboxAdmin(http_transport(live_server))


def client_token(base: str, bank: str) -> str:
    """A client-credentials token of the chat's own client at ``bank``."""
    answer = requests.post(f"{base}/banks/{bank}/token", data={"grant_type": "client_credentials"},
                           auth=CHAT_CLIENT, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def wait_for(check, seconds: float = 20.0):
    """``check()``'s first truthy answer, polled like the page polls (or the last falsy)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)
