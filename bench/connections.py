"""How fast the connected-apps page answers for a customer whose apps read 100,000 times.
Run: ``.venv/bin/python bench/connections.py`` (about a minute; ``--engine postgres`` runs
it on a throwaway PostgreSQL cluster of ``tests.pgcluster``).

Seeds a small world (personas only, one month, clock frozen at 2026-03-01 noon) into a
temporary database, gives ``user_good`` at Harborline three apps (consents of ``demo-app``)
and ``--reads`` access-log entries spread over those apps, six kinds of data and the last 90
days (the default retention), plus as many reads of other customers. Then signs in at
``{iss}/connections`` through the pages (in-process test client) and times ``--rounds``
GETs of the list. Prints the database's query plans of the page's two access-log queries,
and the median and p99 of the page.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from sandbox import clock, create_app  # noqa: E402
from sandbox.config import DEFAULT_ADMIN_KEY  # noqa: E402
from sandbox.extensions import db  # noqa: E402
from sandbox.models import AccessLogEntry, Consent, Customer  # noqa: E402
from sandbox.services.connections import RECENT  # noqa: E402
from tests.oauth.browser import client_browser  # noqa: E402
from tests.people.conftest import sign_in  # noqa: E402

BANK = "harborline"
RESOURCES = ("accounts", "account", "balances", "transactions", "receipts", "shipments")
ENV = {"SANDBOX_HISTORY_MONTHS": "1"}


def seed(url: str) -> None:
    sandbox = str(Path(sys.executable).with_name("sandbox"))
    subprocess.run([sandbox, "seed", "--database", url, "--customers", "0", "--as-of",
                    "2026-03-01"], check=True, env={**os.environ, **ENV},
                   stdout=subprocess.DEVNULL)


def fill(app, client, reads: int) -> list[str]:
    """Three apps of user_good and ``reads`` of theirs (and as many of another customer's
    app) over the last 90 days; answers the consent ids of user_good."""
    admin = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
    mine = [client.post(f"/sandbox/banks/{BANK}/tokens", headers=admin, json={
        "username": "user_good", "purpose": f"App {n}"}).get_json()["consent_id"]
        for n in range(3)]
    theirs = client.post(f"/sandbox/banks/{BANK}/tokens", headers=admin, json={
        "username": "user_overdrawn"}).get_json()["consent_id"]
    draw = random.Random(13)
    with app.app_context():
        now = clock.now()
        owners = {consent.id: consent.customer_id for consent in db.session.scalars(
            sa.select(Consent).where(Consent.id.in_([*mine, theirs])))}
        for start in range(0, reads, 10_000):
            rows = []
            for _ in range(min(10_000, reads - start)):
                for consent_id in (draw.choice(mine), theirs):
                    resource = draw.choice(RESOURCES)
                    rows.append({"bank_id": BANK, "client_id": "demo-app",
                                 "customer_id": owners[consent_id], "consent_id": consent_id,
                                 "resource": resource, "resource_id": None,
                                 "path": f"/banks/{BANK}/v1/{resource}",
                                 "at": now - timedelta(seconds=draw.uniform(0, 90 * 86400))})
            db.session.execute(sa.insert(AccessLogEntry), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE access_log")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
    return mine


def plans(app, consent_ids: list[str]) -> None:
    """Print the plans of the page's access-log queries (last read, recent reads)."""
    with app.app_context():
        now = clock.now()
        entry = AccessLogEntry
        last = (sa.select(entry.at).where(entry.consent_id == consent_ids[0])
                .order_by(entry.at.desc()).limit(1))
        recent = (sa.select(entry.consent_id, entry.resource, sa.func.count(),
                            sa.func.max(entry.at))
                  .where(entry.consent_id.in_(consent_ids), entry.at >= now - RECENT,
                         entry.at <= now).group_by(entry.consent_id, entry.resource))
        postgres = db.engine.dialect.name == "postgresql"
        for label, query in (("last read", last), ("recent reads", recent)):
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = db.session.execute(sa.text(explain + str(compiled))).all()
            print(f"plan of {label}:")
            for row in rows:
                print("   ", row[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=100_000, help="reads of the customer")
    parser.add_argument("--rounds", type=int, default=200, help="timed page loads")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.engine == "postgres":
            from tests import pgcluster

            url = stack.enter_context(pgcluster.cluster())
        else:
            url = f"sqlite:///{folder / 'world.db'}"
        seed(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SANDBOX_HISTORY_MONTHS": 1,
                          "TESTING": True})
        client = app.test_client()
        mine = fill(app, client, args.reads)
        with app.app_context():
            customer = db.session.scalar(sa.select(Customer).where(
                Customer.bank_id == BANK, Customer.username == "user_good"))
            total = db.session.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry)
                                      .where(AccessLogEntry.customer_id == customer.id))
        plans(app, mine)
        browser = client_browser(client)
        assert sign_in(browser).status == 200
        times = []
        for _ in range(args.rounds + 5):
            started = time.perf_counter()
            answer = client.get(f"/banks/{BANK}/connections")
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200 and b"Recent reads" in answer.data
        times = sorted(times[5:])
        with app.app_context():
            db.engine.dispose()
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    print(f"{args.engine}: GET {{iss}}/connections for a customer with {total:,} reads "
          f"(3 apps): median {statistics.median(times):.1f} ms, p99 {p99:.1f} ms "
          f"({len(times)} loads, in-process test client)")


if __name__ == "__main__":
    main()
