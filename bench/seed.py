"""Seeding benchmark: throughput, the default world's seeding time, and peak memory.

Run from the checkout: ``.venv/bin/python bench/seed.py`` (``--customers 25 100`` picks the
customer counts compared for memory; ``--months`` the history). Every run seeds a fresh
temporary SQLite file in a child process of its own, so each peak RSS is that run's alone.
Prints one line per run and a summary; wall time and CPU time are both shown because other
work on the machine stretches wall time.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from datetime import date

AS_OF = date(2026, 3, 1)


def child(customers: int, months: int, path: str) -> None:
    """Seed one world and print its figures as JSON (runs in its own process)."""
    from sandbox import create_app
    from sandbox.services.seeding import seed_world

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SANDBOX_HISTORY_MONTHS": months})
    with app.app_context():
        summary = seed_world(seed=42, customers=customers, months=months, as_of=AS_OF,
                             fresh=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    generator = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary["cpu_seconds"] = round(own.ru_utime + own.ru_stime, 2)
    summary["generator_cpu_seconds"] = round(generator.ru_utime + generator.ru_stime, 2)
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(summary))


def run(customers: int, months: int) -> dict:
    """Seed a world in a child process and return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.db")
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(customers), str(months), path],
            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[25, 100],
                        help="generated customers per bank, one run each (the first is the "
                             "default world)")
    parser.add_argument("--months", type=int, default=24, help="months of history")
    parser.add_argument("--child", nargs=3, metavar=("CUSTOMERS", "MONTHS", "PATH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return
    print(f"Seeding benchmark: seed 42, {args.months} months, as of {AS_OF}, SQLite, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    results = []
    for customers in args.customers:
        figures = run(customers, args.months)
        results.append((customers, figures))
        rate = figures["transactions"] / figures["seconds"]
        print(f"  {customers:>4} customers/bank: {figures['transactions']:>9,} transactions, "
              f"{figures['receipts']:,} receipts, {figures['shipments']:,} shipments in "
              f"{figures['seconds']:.1f} s wall (CPU: {figures['cpu_seconds']:.1f} s writer "
              f"process incl. start-up, {figures['generator_cpu_seconds']:.1f} s generator): "
              f"{rate:,.0f} transactions/s; peak RSS {figures['peak_rss_mb']:.0f} MB")
    customers, default = results[0]
    print(f"Default world ({customers} customers/bank): {default['seconds']:.1f} s "
          f"(goal < 15 s); {default['transactions'] / default['seconds']:,.0f} "
          f"transactions/s end to end (goal >= 50,000)")
    if len(results) > 1:
        memory = ", ".join(f"{figures['peak_rss_mb']:.0f} MB at {customers}"
                           for customers, figures in results)
        print(f"Peak memory by customers per bank: {memory} (goal: flat)")


if __name__ == "__main__":
    main()
