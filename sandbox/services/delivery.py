"""Webhook delivery: claim due outbox rows, POST them signed, log the attempt, back off.

At-least-once: a row is claimed (a lease in wall-clock time) before its POST and settled
after it; a worker that dies mid-POST leaves the lease to expire, and another worker sends the
same event (same ``Sandbank-Event-Id``) again. Retry times follow the sandbox clock.
"""
from __future__ import annotations

import http.client
import ipaddress
import logging
import os
import random
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from sandbox.network import is_loopback_host, is_public_address, private_host_reason
from sandbox.services.paging import older_than
from sandbox.services.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, signature, sweep
from sandbox.services.world import keep_up
from sandbox.unit_of_work import transaction

log = logging.getLogger(__name__)

#: Attempts before a delivery is marked ``failed``.
MAX_ATTEMPTS = 7
#: Sandbox seconds to wait after failed attempt n (1-based), before jitter: 1 min, 4 min,
#: 16 min, 64 min, ~4.3 h, ~17 h: about 23 hours from the first attempt to the last.
BACKOFF_SECONDS = (60, 240, 960, 3_840, 15_360, 61_440)
#: Each wait is multiplied by a random factor in this range.
JITTER = (0.8, 1.2)
DEFAULT_TIMEOUT = 10.0
#: How much of an answer's body is read.
MAX_ANSWER_BYTES = 2_048
#: How many characters of an error answer (or a connection error) the log keeps.
EXCERPT_CHARS = 200
USER_AGENT = "Sandbank-Webhooks/1.0"


def worker_name() -> str:
    """A name for this worker, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def lease_seconds(timeout: float) -> float:
    """How long a claim holds: longer than any POST bounded by ``timeout`` can take."""
    return 2 * timeout + 5


def backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based), with jitter."""
    base = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
    return timedelta(seconds=base * (rng or random).uniform(*JITTER))


def claim(worker: str, *, limit: int = 10, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """Claim up to ``limit`` due deliveries for ``worker`` and commit; returns their ids.

    Portable: each row is taken by a conditional UPDATE that only one worker can win. On
    PostgreSQL the candidates are also locked with ``FOR UPDATE SKIP LOCKED`` so workers
    spread over different rows instead of racing for the same ones.
    """
    now = clock.now()
    wall = clock.wall_now()
    free = sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < wall)
    due = (sa.select(WebhookDelivery.id)
           .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, free)
           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
           .limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    until = wall + timedelta(seconds=lease_seconds(timeout))
    claimed = []
    for delivery_id in db.session.scalars(due).all():
        result = db.session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending", free)
            .values(claimed_by=worker, claimed_until=until,
                    attempts=WebhookDelivery.attempts + 1))
        if result.rowcount == 1:
            claimed.append(delivery_id)
    db.session.commit()
    return claimed


@dataclass(frozen=True)
class Outcome:
    """How one POST ended."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


class DestinationRefused(Exception):
    """The receiver's host is not a public destination (or, for a loopback URL, resolves
    off loopback)."""


def vetted_addresses(host: str, port: int) -> list[str]:
    """Resolve ``host`` once and answer its addresses, every one checked: public
    (``sandbox.network.is_public_address``), or loopback for a loopback host (the
    development rule). Raises ``DestinationRefused``; ``OSError`` when it does not resolve.
    The caller connects to these addresses, never to the name again (no DNS rebinding)."""
    loopback = is_loopback_host(host)
    reason = None if loopback else private_host_reason(host)
    if reason is not None:
        raise DestinationRefused(reason)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:
        allowed = ipaddress.ip_address(address).is_loopback if loopback else \
            is_public_address(address)
        if not allowed:
            raise DestinationRefused(f"{host} resolves to {address}, which is not a public "
                                     "address.")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers."""
    failure: OSError = OSError(f"no address to connect to on port {port}")
    for address in addresses:
        try:
            connection = socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
            continue
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection
    raise failure


class VettedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket goes to vetted addresses; ``Host`` stays the URL's."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class VettedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection whose socket goes to vetted addresses; ``Host``, the TLS server
    name and the certificate check stay the URL's host."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(_connect(self.addresses, self.port, self.timeout),
                                         server_hostname=self.host)


def excerpt(text: bytes | str) -> str:
    """What the log keeps of a receiver's answer or an error: at most ``EXCERPT_CHARS``
    printable characters, control characters and runs of white space made one space."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url`` and report how it went: the host is resolved and every
    address checked first (``vetted_addresses``), the connection goes to a checked address,
    redirects are not followed (a 3xx is a failed attempt), and only an excerpt of an error
    answer is kept."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    started = time.monotonic()
    connection = None
    try:
        port = parts.port or (443 if https else 80)
        addresses = vetted_addresses(parts.hostname or "", port)
        connection = (VettedHTTPSConnection if https else VettedHTTPConnection)(
            parts.hostname, port, addresses, timeout)
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(MAX_ANSWER_BYTES)
        status, error = answer.status, None
        if not 200 <= status < 300:
            error = f"HTTP {status}: {excerpt(text)}".strip()
    except DestinationRefused as refused:
        status, error = None, f"Destination refused: {excerpt(str(refused))}"
    except (OSError, http.client.HTTPException) as problem:
        status, error = None, f"{type(problem).__name__}: {excerpt(str(problem))}"
    finally:
        if connection is not None:
            connection.close()
    return Outcome(status, error, int((time.monotonic() - started) * 1000))


def attempt(delivery_id: str, worker: str, *, timeout: float = DEFAULT_TIMEOUT,
            rng: random.Random | None = None) -> Outcome | None:
    """POST one claimed delivery, log the attempt and settle the row (commits).

    Returns None when the row is no longer this worker's claim.
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.claimed_by != worker:
        db.session.rollback()
        return None
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    url, secret, body = subscription.url, subscription.secret, delivery.body.encode()
    number = delivery.attempts
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: delivery.event_id,
        "Sandbank-Event-Type": delivery.event_type,
        "Sandbank-Delivery-Id": delivery.id,
        "Sandbank-Delivery-Attempt": str(number),
        SIGNATURE_HEADER: signature(secret, body, int(time.time())),
    }
    db.session.rollback()
    outcome = post(url, body, headers, timeout)
    settle(delivery_id, worker, number, outcome, rng=rng)
    return outcome


def settle(delivery_id: str, worker: str, number: int, outcome: Outcome, *,
           rng: random.Random | None = None) -> None:
    """Log an attempt and move the delivery on: delivered, retried later, or failed."""
    now, _ = clock.read(db.session)
    db.session.add(WebhookAttempt(
        delivery_id=delivery_id, number=_attempt_count(delivery_id) + 1, worker=worker, at=now,
        duration_ms=outcome.duration_ms, status_code=outcome.status_code, error=outcome.error))
    values: dict = {"claimed_by": None, "claimed_until": None,
                    "last_status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.ok:
        values.update(status="delivered", delivered_at=now)
    elif number >= MAX_ATTEMPTS:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=now + backoff(number, rng))
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == worker)
        .values(**values))
    db.session.commit()


def _attempt_count(delivery_id: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)
                             .where(WebhookAttempt.delivery_id == delivery_id))


class SubscriptionGone(Exception):
    """The delivery's subscription has been deleted."""


def find(delivery_id: str) -> WebhookDelivery | None:
    """One delivery, or None."""
    return db.session.get(WebhookDelivery, delivery_id)


def redeliver(delivery_id: str) -> WebhookDelivery | None:
    """Queue a delivery again, due now, with a fresh attempt budget (not committed); None
    when there is no such delivery. Raises ``SubscriptionGone``.

    Its log is kept; an attempt in flight is disowned, so its answer no longer settles the row.
    """
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    if subscription.deleted_at is not None:
        raise SubscriptionGone(delivery_id)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.claimed_by = None
    delivery.claimed_until = None
    delivery.delivered_at = None
    return delivery


def run_once(worker: str, *, timeout: float = DEFAULT_TIMEOUT, limit: int = 10) -> int:
    """One pass: catch a running clock's world up, raise clock-driven events, then deliver
    what is due. Returns how many deliveries were attempted."""
    with transaction() as session:
        keep_up(session, clock.now())
    sweep()
    done = 0
    for delivery_id in claim(worker, limit=limit, timeout=timeout):
        if attempt(delivery_id, worker, timeout=timeout) is not None:
            done += 1
    return done


def run(app: Flask, stop: threading.Event, *, poll_interval: float = 1.0,
        exit_with_parent: bool = False) -> None:
    """Deliver until ``stop`` is set (or, with ``exit_with_parent``, the parent process
    dies): a pass per ``poll_interval``, back to back while there is work."""
    worker = worker_name()
    parent = os.getppid()
    timeout = float(app.config.get("SANDBOX_WEBHOOK_TIMEOUT") or DEFAULT_TIMEOUT)
    log.info("webhook worker %s started", worker)
    while not stop.is_set():
        if exit_with_parent and os.getppid() != parent:
            break
        busy = 0
        try:
            with app.app_context():
                busy = run_once(worker, timeout=timeout)
        except Exception:
            log.exception("webhook worker %s: pass failed, retrying", worker)
        if not busy:
            stop.wait(poll_interval)
    log.info("webhook worker %s stopped", worker)


def deliveries(*, bank_id: str | None = None, client_id: str | None = None,
               subscription_id: str | None = None, status: str | None = None,
               event_type: str | None = None, before: tuple | None = None,
               limit: int = 50) -> list[WebhookDelivery]:
    """The delivery log, newest first, filtered; ``before`` is the ``(created_at, id)`` of
    the last row of the previous page."""
    query = sa.select(WebhookDelivery)
    for column, value in ((WebhookDelivery.bank_id, bank_id),
                          (WebhookDelivery.client_id, client_id),
                          (WebhookDelivery.subscription_id, subscription_id),
                          (WebhookDelivery.status, status),
                          (WebhookDelivery.event_type, event_type)):
        if value is not None:
            query = query.where(column == value)
    if before is not None:
        query = query.where(older_than(WebhookDelivery.created_at, WebhookDelivery.id, *before))
    return list(db.session.scalars(
        query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)))


def attempts_of(delivery_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
    """The attempt log of each delivery, oldest first."""
    found: dict[str, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        for row in db.session.scalars(
                sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)):
            found[row.delivery_id].append(row)
    return found
