"""The access log keeps ``SANDBOX_ACCESS_LOG_RETENTION`` of sandbox time: the worker's
housekeeping forgets older reads, in bounded batches, as the clock moves."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from sandbox import clock, unit_of_work
from sandbox.durations import parse_duration
from sandbox.extensions import db
from sandbox.models import AccessLogEntry
from sandbox.services import access_log
from sandbox.worker import prune_access_log, run_job


def add_reads(app, days_ago: list[int]) -> list[int]:
    with app.app_context(), unit_of_work.transaction() as session:
        now = clock.now()
        rows = [AccessLogEntry(bank_id="harborline", client_id="demo-app", customer_id="c",
                               consent_id="cns_retention", resource="balances",
                               resource_id=None, path="/x", at=now - timedelta(days=days))
                for days in days_ago]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def remaining(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.consent_id == "cns_retention"))


def test_reads_older_than_the_retention_go_when_the_clock_moves(app):
    add_reads(app, [200, 100, 89, 10, 0])
    with app.app_context():
        now = clock.now()
        run_job(prune_access_log, now=now)
    assert remaining(app) == 3, "the default keeps 90 days"

    with app.app_context():
        run_job(prune_access_log, now=now + timedelta(days=30))
    assert remaining(app) == 2


def test_the_retention_is_a_setting(app):
    add_reads(app, [3, 1, 0])
    app.config["SANDBOX_ACCESS_LOG_RETENTION"] = "P2D"
    try:
        with app.app_context():
            run_job(prune_access_log, now=clock.now())
    finally:
        app.config["SANDBOX_ACCESS_LOG_RETENTION"] = "P90D"
    assert remaining(app) == 2


def test_pruning_stops_after_its_batches(app):
    add_reads(app, [400] * 10)
    with app.app_context(), unit_of_work.transaction() as session:
        gone = access_log.prune(session, now=clock.now(), retention=parse_duration("P90D"),
                                batch=3, batches=2)
    assert (gone, remaining(app)) == (6, 4)
