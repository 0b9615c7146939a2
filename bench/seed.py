"""Seeding benchmark: throughput, the default world's seeding time, and peak memory.

Run from the checkout: ``.venv/bin/python bench/seed.py`` (``--customers 25 100`` picks the
customer counts compared for memory; ``--months`` the history). Every run seeds a fresh
temporary SQLite file in a child process of its own, so each peak RSS is that run's alone.
``--database postgresql+psycopg://...`` seeds that database instead (its sandbox tables are
dropped first); ``--postgres`` runs every count on SQLite and then on a throwaway PostgreSQL
cluster it starts (``tests/pgcluster.py``), so one run prints both engines.
Prints one line per run and a summary; wall time and CPU time are both shown because other
work on the machine stretches wall time (the CPU of the PostgreSQL server is not counted).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's sandbox, not whichever one is installed
AS_OF = date(2026, 3, 1)


def child(customers: int, months: int, url: str) -> None:
    """Seed one world and print its figures as JSON (runs in its own process)."""
    from sandbox import create_app, unit_of_work
    from sandbox.services.seeding import seed_world

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SANDBOX_HISTORY_MONTHS": months})
    with app.app_context():
        started = time.perf_counter()
        with unit_of_work.transaction() as session:
            summary = seed_world(session, seed=42, customers=customers, months=months,
                                 as_of=AS_OF, fresh=True)
        summary["seconds"] = round(time.perf_counter() - started, 2)  # the commit included
    own = resource.getrusage(resource.RUSAGE_SELF)
    generator = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary["cpu_seconds"] = round(own.ru_utime + own.ru_stime, 2)
    summary["generator_cpu_seconds"] = round(generator.ru_utime + generator.ru_stime, 2)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(summary))


def run(customers: int, months: int, url: str | None) -> dict:
    """Seed a world into ``url`` (None: a temporary SQLite file) in a child process and
    return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        target = url or f"sqlite:///{os.path.join(folder, 'bench.db')}"
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(customers), str(months), target],
            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1])


def engine_name(url: str | None) -> str:
    backend = "sqlite" if url is None else sa.engine.make_url(url).get_backend_name()
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(backend, backend)


def report(label: str, url: str | None, counts: list[int], months: int) -> None:
    """Seed each of ``counts`` into ``url`` and print a line per run and the summary."""
    results = []
    for customers in counts:
        figures = run(customers, months, url)
        results.append((customers, figures))
        rate = figures["transactions"] / figures["seconds"]
        print(f"  {label}, {customers:>4} customers/bank: {figures['transactions']:>9,} "
              f"transactions, {figures['receipts']:,} receipts, {figures['shipments']:,} "
              f"shipments in {figures['seconds']:.1f} s wall (CPU: "
              f"{figures['cpu_seconds']:.1f} s writer process incl. start-up, "
              f"{figures['generator_cpu_seconds']:.1f} s generator): {rate:,.0f} "
              f"transactions/s; peak RSS {figures['peak_rss_mb']:.0f} MB")
    customers, default = results[0]
    print(f"{label} default world ({customers} customers/bank): {default['seconds']:.1f} s "
          f"(goal < 15 s); {default['transactions'] / default['seconds']:,.0f} "
          f"transactions/s end to end (goal >= 50,000)")
    if len(results) > 1:
        memory = ", ".join(f"{figures['peak_rss_mb']:.0f} MB at {customers}"
                           for customers, figures in results)
        print(f"{label} peak memory by customers per bank: {memory} (goal: flat)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[25, 100],
                        help="generated customers per bank, one run each (the first is the "
                             "default world)")
    parser.add_argument("--months", type=int, default=24, help="months of history")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--database", metavar="URL",
                        help="seed this database (its sandbox tables are dropped first) "
                             "instead of a temporary SQLite file")
    target.add_argument("--postgres", action="store_true",
                        help="also seed a throwaway PostgreSQL cluster started for the run")
    parser.add_argument("--child", nargs=3, metavar=("CUSTOMERS", "MONTHS", "URL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return
    engines = "SQLite and PostgreSQL" if args.postgres else engine_name(args.database)
    print(f"Seeding benchmark: seed 42, {args.months} months, as of {AS_OF}, {engines}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    report(engine_name(args.database), args.database, args.customers, args.months)
    if args.postgres:
        from tests.pgcluster import cluster

        with cluster() as url:
            report("PostgreSQL", url, args.customers, args.months)


if __name__ == "__main__":
    main()
