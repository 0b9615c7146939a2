"""Helpers for the events tests: a real webhook receiver on loopback, tokens, the clock."""
from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox import clock
from sandbox.extensions import db
from sandbox import unit_of_work
from sandbox.oauth.minting import mint_token

BANK = "harborline"
ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that records every POST. ``statuses`` scripts the
    answers (200 once it runs out), ``reply_headers`` and ``reply_body`` what each answer
    carries; ``hold`` makes it keep requests unanswered until ``release`` is called."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.reply_headers: dict[str, str] = {}
        self.reply_body = b"ok"
        self.hold = False
        self.arrived = threading.Condition()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.requests.append({"headers": dict(self.headers), "body": body,
                                              "path": self.path})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    hold = receiver.hold
                    receiver.arrived.notify_all()
                if hold:
                    receiver._released.wait(30)
                try:
                    self.send_response(status)
                    for name, value in receiver.reply_headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(receiver.reply_body)))
                    self.end_headers()
                    self.wfile.write(receiver.reply_body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 20) -> list[dict]:
        """Wait until ``count`` requests have arrived; returns them all."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} webhook POSTs arrived, "
                                     f"expected {count}")
            return list(self.requests)

    def events(self) -> list[dict]:
        """The JSON bodies received so far."""
        with self.arrived:
            return [json.loads(request["body"]) for request in self.requests]

    def release(self) -> None:
        """Answer the held requests and stop holding."""
        self.hold = False
        self._released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """A webhook receiver on loopback, shut down after the test."""
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


class Kit:
    """Shortcuts the events tests share, bound to the module's app and a test client."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def client_token(self, bank_id: str = BANK, client_id: str = "demo-app",
                     secret: str = "demo-secret") -> str:
        """A client-credentials access token from the bank's token endpoint."""
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        answer = self.client.post(f"/banks/{bank_id}/token",
                                  data={"grant_type": "client_credentials"},
                                  headers={"Authorization": f"Basic {basic}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.json["access_token"]

    def subscribe(self, url: str, events: list[str], bank_id: str = BANK) -> dict:
        """Subscribe ``url`` for demo-app; returns the 201 answer (with the secret)."""
        answer = self.client.post(f"/banks/{bank_id}/v1/webhooks",
                                  json={"url": url, "events": events},
                                  headers=bearer(self.client_token(bank_id)))
        assert answer.status_code == 201, answer.get_data(as_text=True)
        return answer.json

    def customer_token(self, scope: str, username: str = "user_good", bank_id: str = BANK,
                       client_id: str = "demo-app", **options) -> dict:
        """A consent and bearer token as the authorization-code flow would make them."""
        with self.app.app_context(), unit_of_work.transaction() as session:
            return mint_token(session, bank_id, client_id, username, scope, now=clock.now(),
                              **options)

    def advance(self, **delta) -> None:
        """Move the (frozen) sandbox clock forward without generating the world."""
        with self.app.app_context():
            now, _ = clock.read(db.session)
            clock.write(db.session, now + timedelta(**delta), frozen=True)
            db.session.commit()

    def now(self):
        """The sandbox clock's reading."""
        with self.app.app_context():
            return clock.read(db.session)[0]

    def deliver(self, worker: str = "test-worker", timeout: float = 5) -> int:
        """One pass of a delivery worker; returns how many deliveries it attempted."""
        from sandbox.worker import run_once

        with self.app.app_context():
            return run_once(worker, timeout=timeout)

    def deliveries(self, **filters) -> list[dict]:
        """The delivery log through the control plane."""
        answer = self.client.get("/sandbox/webhooks/deliveries", query_string=filters,
                                 headers=ADMIN)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.json["data"]


def bearer(token: str) -> dict:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def kit(app, client):
    """The events tests' shortcuts."""
    return Kit(app, client)


@pytest.fixture(autouse=True)
def quiet_outbox(app):
    """Each test starts without the subscriptions, consents, locked cards, alerts or
    undelivered events of earlier tests (consents would each get their own copy of events)."""
    import sqlalchemy as sa

    from sandbox.models import (
        Account,
        Consent,
        WebhookDelivery,
        WebhookNotice,
        WebhookSubscription,
    )

    def clear():
        with app.app_context():
            db.session.execute(sa.update(Consent).where(Consent.status == "authorized")
                               .values(status="expired"))
            db.session.execute(sa.update(Account)
                               .where(sa.or_(Account.card_locked.is_(True),
                                             Account.low_balance_threshold.is_not(None)))
                               .values(card_locked=False, low_balance_threshold=None))
            db.session.execute(sa.delete(WebhookNotice)
                               .where(WebhookNotice.topic == "balance.low"))
            db.session.execute(sa.update(WebhookSubscription)
                               .where(WebhookSubscription.deleted_at.is_(None))
                               .values(deleted_at=clock.now()))
            db.session.execute(sa.update(WebhookDelivery)
                               .where(WebhookDelivery.status == "pending")
                               .values(status="cancelled"))
            db.session.commit()

    clear()
    yield
    clear()
