"""At-least-once across a crash: ``sandbox serve`` is killed with SIGKILL after the change was
committed and while its event is on the wire; after a restart the event arrives again."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

BANK = "harborline"


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    """``sandbox serve`` (gunicorn plus its delivery worker) in its own process group."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).with_name("sandbox")), "serve", "--database",
               database_url, "--port", str(port), "--workers", "1"]
    env = {**os.environ, "SANDBOX_WEBHOOK_TIMEOUT": "2"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except (requests.ConnectionError, requests.Timeout):  # not up yet (a busy machine)
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            kill(process)
            raise RuntimeError("sandbox serve did not start")
        time.sleep(0.1)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the whole process group: master, web workers and delivery worker."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture
def servers(app):
    """Start ``sandbox serve`` over the module's database; every one started is killed."""
    started = []

    def start() -> tuple[subprocess.Popen, str]:
        process, base = start_server(app.config["SQLALCHEMY_DATABASE_URI"])
        started.append(process)
        return process, base

    yield start
    for process in started:
        if process.poll() is None:
            kill(process)


def test_event_survives_sigkill_mid_delivery(kit, receiver, servers):
    import sqlalchemy as sa

    from sandbox.extensions import db
    from sandbox.models import Account, Consent

    hook = kit.subscribe(receiver.url, ["card.locked"])
    token = kit.customer_token("accounts manage")
    with kit.app.app_context():
        consent = db.session.get(Consent, token["consent_id"])
        account = db.session.scalar(sa.select(Account.id).where(
            Account.id.in_(consent.account_ids), Account.type == "checking").limit(1))
    receiver.hold = True
    process, base = servers()
    locked = requests.post(f"{base}/banks/{BANK}/v1/accounts/{account}/card/lock",
                           headers={"Authorization": f"Bearer {token['access_token']}"},
                           timeout=10)
    assert locked.status_code == 200
    [first] = receiver.wait_for(1)
    kill(process)
    receiver.release()

    servers()
    first, second = receiver.wait_for(2, timeout=40)
    assert first["headers"]["Sandbank-Event-Id"] == second["headers"]["Sandbank-Event-Id"]
    assert first["body"] == second["body"]
    assert [first["headers"]["Sandbank-Delivery-Attempt"],
            second["headers"]["Sandbank-Delivery-Attempt"]] == ["1", "2"]
    deadline = time.monotonic() + 10
    while True:
        [logged] = kit.deliveries(subscription_id=hook["id"])
        if logged["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert logged["status"] == "delivered"
    assert [attempt["status_code"] for attempt in logged["attempts"]] == [200]
