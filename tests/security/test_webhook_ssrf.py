"""Finding 7 of issue 9: webhooks never reach a non-public destination. Private, link-local,
metadata and embedded-IPv4 URLs are refused at subscription; a name resolving to a private
address is refused at delivery, and the connection goes to the address that was checked;
redirects are not followed; the log keeps a short, sanitised excerpt of an answer."""
import base64
import socket
import time

import pytest
import requests

from sandbox.services.webhooks import transport
from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.services.webhooks.conftest import Receiver

BANK = "harborline"


def client_headers(base: str) -> dict:
    basic = base64.b64encode(b"demo-app:demo-secret").decode()
    answer = requests.post(f"{base}/banks/{BANK}/token", data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def subscribe(base: str, url: str, events=("card.locked",)) -> requests.Response:
    return requests.post(f"{base}/banks/{BANK}/v1/webhooks", headers=client_headers(base),
                         json={"url": url, "events": list(events)}, timeout=10)


@pytest.mark.parametrize("url", [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/",
    "https://192.168.1.1/",
    "https://[fd00::1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://0.0.0.0:9/",
    "https://metadata.google.internal/",
    "https://METADATA.google.internal./computeMetadata/v1/",
    "https://2852039166/",
    "https://0xa9.0xfe.0xa9.0xfe/",
    "https://[::ffff:127.0.0.1]/",
    "https://[2002:a9fe:a9fe::1]/",
    "https://[64:ff9b::a00:1]/",
    "https://[fe80::1]/",
    "https://[fec0::1]/",
    "https://224.0.0.1/",
    "https://[ff0e::1]/",
    "https://100.64.0.1/",
    "https://hooks.localhost/",
    "https://printer.local/",
    "http://hooks.example.com/",
])
def test_non_public_destinations_are_refused_at_subscription(live_server, url):
    answer = subscribe(live_server, url)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert [error["path"] for error in answer.json()["errors"]] == ["url"]


@pytest.mark.parametrize("url", [
    "https://hooks.example.com/in",
    "https://8.8.8.8/in",
    "http://127.0.0.1:9000/hooks",
    "http://localhost:9000/hooks",
    "http://[::1]:9000/hooks",
])
def test_public_hosts_and_loopback_development_receivers_are_accepted(live_server, url):
    answer = subscribe(live_server, url)
    assert answer.status_code == 201, answer.text
    requests.delete(f"{live_server}/banks/{BANK}/v1/webhooks/{answer.json()['id']}",
                    headers=client_headers(live_server), timeout=10)


def first_attempt(admin: SandboxAdmin, subscription_id: str, timeout: float = 30) -> dict:
    """The first logged attempt of the subscription's delivery, once the server's delivery
    worker made it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logged = admin.request("GET", f"/sandbox/webhooks/deliveries?subscription_id="
                                      f"{subscription_id}")["data"]
        if logged and logged[0]["attempts"]:
            return logged[0]
        time.sleep(0.2)
    raise AssertionError("the delivery worker made no attempt")


def fire_card_locked(admin: SandboxAdmin) -> None:
    admin.token(BANK, "user_good", "accounts manage")
    admin.request("POST", "/sandbox/webhooks/fire", {
        "type": "card.locked", "bank_id": BANK, "client_id": "demo-app",
        "username": "user_good"})


@pytest.fixture
def receivers():
    made = [Receiver(), Receiver()]
    yield made
    for receiver in made:
        receiver.close()


def test_redirects_are_not_followed(live_server, receivers):
    redirecting, elsewhere = receivers
    redirecting.statuses = [302] * 10
    redirecting.reply_headers = {"Location": elsewhere.url}
    admin = SandboxAdmin(http_transport(live_server))
    hook = subscribe(live_server, redirecting.url).json()
    fire_card_locked(admin)
    logged = first_attempt(admin, hook["id"])
    assert logged["attempts"][0]["status_code"] == 302
    assert logged["status"] == "pending", "a redirect is a failed attempt"
    assert len(redirecting.requests) == 1
    assert elsewhere.requests == []


def test_the_log_keeps_a_short_sanitised_excerpt_of_an_answer(live_server, receivers):
    noisy = receivers[0]
    noisy.statuses = [500] * 10
    noisy.reply_body = (b"\x1b[31mboom\x1b[0m\r\nX-Injected: yes\n\x00" + b"secret-" * 2000)
    admin = SandboxAdmin(http_transport(live_server))
    hook = subscribe(live_server, noisy.url).json()
    fire_card_locked(admin)
    error = first_attempt(admin, hook["id"])["attempts"][0]["error"]
    assert error.startswith("HTTP 500: ")
    assert len(error) <= len("HTTP 500: ") + transport.EXCERPT_CHARS
    assert error.isprintable() and "\x1b" not in error
    assert "boom" in error and "X-Injected: yes" in error


def fake_resolver(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make ``socket.getaddrinfo`` answer ``answers`` (host → addresses; a literal address
    stands for itself); answers the list of names looked up."""
    looked_up: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM,
                 6, "", (address, port)) for address in answers.get(host, [host])]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.mark.parametrize("addresses", [
    ["10.1.2.3"],
    ["169.254.169.254"],
    ["8.8.8.8", "192.168.0.10"],
    ["::ffff:127.0.0.1"],
    ["fd00::5"],
    ["127.0.0.1"],
])
def test_delivery_refuses_a_name_that_resolves_to_a_private_address(monkeypatch, addresses):
    fake_resolver(monkeypatch, {"hooks.example.com": addresses})
    connected = []
    monkeypatch.setattr(socket, "create_connection",
                        lambda *args, **kwargs: connected.append(args) or 1 / 0)
    outcome = transport.post("https://hooks.example.com/in", b"{}", {}, 5)
    assert outcome.status_code is None and not outcome.ok
    assert outcome.error.startswith("Destination refused")
    assert connected == []


def test_delivery_connects_to_the_address_it_checked(monkeypatch):
    looked_up = fake_resolver(monkeypatch, {"hooks.example.com": ["8.8.4.4"]})
    connected = []

    def refuse(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("refused in the test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    outcome = transport.post("https://hooks.example.com/in", b"{}", {}, 5)
    assert connected == [("8.8.4.4", 443)]
    assert looked_up == ["hooks.example.com"], "resolved once: nothing left to rebind"
    assert outcome.error.startswith("ConnectionRefusedError")


def test_a_loopback_receiver_gets_its_own_host_header(monkeypatch):
    receiver = Receiver()
    try:
        port = receiver.server.server_port
        fake_resolver(monkeypatch, {"localhost": ["127.0.0.1"]})
        outcome = transport.post(f"http://localhost:{port}/hooks", b"{}",
                                {"Content-Type": "application/json"}, 5)
        assert outcome.ok, outcome
        assert receiver.requests[0]["headers"]["Host"] == f"localhost:{port}"
    finally:
        receiver.close()
