"""The worker process (``sandbox worker``, started by ``sandbox serve``): a loop of background
jobs until stopped, each job in its own unit of work.

Every pass reads the sandbox clock once, runs the ``HOUSEKEEPING`` jobs, then delivers the
webhooks that are due: each claim, and each delivery's settlement, is a unit of work of its
own, and no transaction is open while a receiver is being POSTed to.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from sandbox import clock, unit_of_work
from sandbox.durations import parse_duration
from sandbox.services import access_log, idempotency, world
from sandbox.services.webhooks import deliveries, transport
from sandbox.services.webhooks.sweep import sweep

log = logging.getLogger(__name__)

def prune_access_log(session: Session, *, now: datetime) -> int:
    """Forget access-log entries older than ``SANDBOX_ACCESS_LOG_RETENTION`` (sandbox
    time), in bounded batches."""
    retention = parse_duration(current_app.config["SANDBOX_ACCESS_LOG_RETENTION"])
    return access_log.prune(session, now=now, retention=retention)


#: The jobs of each pass, in order, before deliveries: ``job(session, now=...)``.
HOUSEKEEPING: tuple[Callable[..., object], ...] = (
    world.keep_up,      # catch a running clock's world up
    sweep,              # raise the events the clock causes
    idempotency.prune,  # forget expired Idempotency-Keys
    prune_access_log,   # forget reads older than the retention
)


def worker_name() -> str:
    """A name for this worker, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def run_job(job: Callable[..., object], *, now: datetime) -> None:
    """Run ``job`` in a unit of work. When another worker did the same work first (the
    sweep's notices are unique), this one's is rolled back and dropped."""
    try:
        with unit_of_work.transaction() as session:
            job(session, now=now)
    except sa.exc.IntegrityError:
        log.debug("%s: done by another worker first", getattr(job, "__name__", job))


def deliver_due(worker: str, *, now: datetime, timeout: float, limit: int = 10) -> int:
    """Claim up to ``limit`` deliveries due by ``now``, POST each and settle it; answers how
    many were attempted."""
    with unit_of_work.transaction() as session:
        claimed = deliveries.claim(session, worker, now=now, wall=clock.wall_now(),
                                   limit=limit, timeout=timeout)
    done = 0
    for delivery_id in claimed:
        with unit_of_work.transaction() as session:
            request = deliveries.prepare(session, delivery_id, worker)
        if request is None:
            continue
        outcome = transport.post(request.url, request.body, request.headers, timeout)
        with unit_of_work.transaction() as session:
            # The clock is read again: a POST takes time, and backoff counts from its end.
            deliveries.settle(session, request, worker, outcome,
                              now=clock.read(session, clock.configured_clock())[0])
        done += 1
    return done


def run_once(worker: str, *, timeout: float = transport.DEFAULT_TIMEOUT, limit: int = 10) -> int:
    """One pass (in an app context): the housekeeping jobs, then the due deliveries. Answers
    how many deliveries were attempted."""
    now = clock.now()
    for job in HOUSEKEEPING:
        run_job(job, now=now)
    return deliver_due(worker, now=now, timeout=timeout, limit=limit)


def run(app: Flask, stop: threading.Event, *, poll_interval: float = 1.0,
        exit_with_parent: bool = False) -> None:
    """Work until ``stop`` is set (or, with ``exit_with_parent``, the parent process dies):
    a pass per ``poll_interval``, back to back while there are deliveries."""
    worker = worker_name()
    parent = os.getppid()
    timeout = float(app.config.get("SANDBOX_WEBHOOK_TIMEOUT") or transport.DEFAULT_TIMEOUT)
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
