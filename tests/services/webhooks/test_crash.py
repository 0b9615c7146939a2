"""At-least-once across a crash: ``sandbox serve`` is killed with SIGKILL after the change was
committed and while its event is on the wire; after a restart the event arrives again."""
import os
import signal
import subprocess
import time
from contextlib import ExitStack

import pytest
import requests

from sandbox.testing.server import base_url, free_port, running, serve_command

BANK = "harborline"


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the whole process group: master, web workers and delivery worker."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture
def servers(app, tmp_path):
    """Start ``sandbox serve`` (gunicorn plus its delivery worker) over the module's database,
    in its own process group; every one started is stopped."""
    env = {**os.environ, "SANDBOX_WEBHOOK_TIMEOUT": "2"}
    with ExitStack() as started:
        def start() -> tuple[subprocess.Popen, str]:
            port = free_port()
            command = serve_command(app.config["SQLALCHEMY_DATABASE_URI"], port=port,
                                    workers=1)
            base = base_url("127.0.0.1", port)
            process = started.enter_context(running(
                command, base, tmp_path / f"server-{port}", env=env, start_new_session=True))
            return process, base

        yield start


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
