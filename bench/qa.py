"""QA toolkit benchmark: reset time of the default world, and loading a 10,000-transaction
scenario. Run: ``.venv/bin/python bench/qa.py`` (prints its figures; takes about a minute);
``--postgres`` runs it again on a throwaway PostgreSQL cluster it starts
(``tests/pgcluster.py``), ``--database URL`` on that database only (its tables are replaced).

1. Seeds the default world (4 banks, personas + 25 customers each, 24 months, as of a fixed
   day) into a temporary SQLite file and stores its snapshot (the first reset).
2. Changes the world, then times ``POST /sandbox/reset`` (a snapshot restore) five times.
3. Times ``POST /sandbox/fixtures`` with a scenario of one customer whose checking account
   holds 10,000 transactions (every 10th with an itemised receipt).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import create_app  # noqa: E402
from sandbox.config import DEFAULT_ADMIN_KEY  # noqa: E402

ADMIN = {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}
WORLD = {"seed": 42, "customers": 25, "months": 24, "as_of": "2026-03-01"}
SCENARIO_ROWS = 10_000
RESETS = 5


def scenario(rows: int) -> dict:
    """One customer at harborline with ``rows`` posted transactions over the last 300 days."""
    transactions = []
    for index in range(rows):
        minutes = (rows - index) * 43
        if index % 10 == 0:
            transactions.append({
                "amount": "-23.50", "authorized_at": f"now-PT{minutes}M",
                "merchant": {"id": "mch_greenbasket"}, "category": "groceries",
                "receipt": {"line_items": [
                    {"description": "Apples", "quantity": 2, "unit_price": "4.25"},
                    {"description": "Bread", "quantity": 1, "unit_price": "15.00"}]}})
        elif index % 7 == 0:
            transactions.append({"amount": "1250.00", "description": "PAYROLL ACME",
                                 "authorized_at": f"now-PT{minutes}M", "category": "income"})
        else:
            transactions.append({"amount": f"-{(index % 97) + 3}.{index % 100:02d}",
                                 "description": f"PURCHASE {index}",
                                 "authorized_at": f"now-PT{minutes}M"})
    return {"banks": [{"id": "harborline", "customers": [{
        "username": "bench_volume", "accounts": [{"type": "checking",
                                                  "transactions": transactions}]}]}]}


def measure(url: str | None) -> None:
    """Print the figures for ``url`` (None: a temporary SQLite file)."""
    with tempfile.TemporaryDirectory(prefix="sandbank-bench-") as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder}/sandbox.db",
                          "SANDBOX_SNAPSHOT_DIR": f"{folder}/snapshots",
                          "SANDBOX_HISTORY_MONTHS": WORLD["months"]})
        engine = "SQLite" if url is None else "PostgreSQL"
        client = app.test_client()
        with app.app_context():
            from sandbox.database import create_schema
            from sandbox.extensions import db

            create_schema(db.engine)
        started = time.perf_counter()
        first = client.post("/sandbox/reset", json=WORLD, headers=ADMIN)
        assert first.status_code == 200, first.get_data(as_text=True)
        seeded = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder, "snapshots").glob("*.db")) / 1e6
        where = f"snapshot {size:.0f} MB" if url is None else "snapshot schema"
        print(f"{engine}: default world seeded and snapshotted in {seeded:.1f} s ({where})")

        timings = []
        for _ in range(RESETS):
            client.post("/sandbox/banks/harborline/customers", json={}, headers=ADMIN)
            started = time.perf_counter()
            answer = client.post("/sandbox/reset", json=WORLD, headers=ADMIN)
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 200 and answer.json["snapshot"], answer.json
        print(f"{engine}: POST /sandbox/reset (default world, snapshot restore): median "
              f"{statistics.median(timings):.2f} s, max {max(timings):.2f} s over {RESETS} runs")

        body = json.dumps(scenario(SCENARIO_ROWS))
        started = time.perf_counter()
        loaded = client.post("/sandbox/fixtures", data=body, headers=ADMIN,
                             content_type="application/json")
        elapsed = time.perf_counter() - started
        assert loaded.status_code == 201, loaded.get_data(as_text=True)
        counts = loaded.json["counts"]
        print(f"{engine}: POST /sandbox/fixtures with {counts['transactions']:,} transactions "
              f"({counts['receipts']:,} receipts): {elapsed:.2f} s "
              f"({counts['transactions'] / elapsed:,.0f} transactions/s)")

        with app.app_context():
            from sandbox.extensions import db

            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--database", metavar="URL",
                        help="measure on this database (its sandbox tables are replaced)")
    target.add_argument("--postgres", action="store_true",
                        help="also measure on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    measure(args.database)
    if args.postgres:
        from tests.pgcluster import cluster

        with cluster() as url:
            measure(url)


if __name__ == "__main__":
    main()
