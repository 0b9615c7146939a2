"""What one data API read costs in process, without a network, a server or wrk: the figure
that stays put on a shared, noisy machine where ``bench/api.py``'s throughput does not. Run:
``.venv/bin/python bench/request_cost.py [--compare TREE] [--postgres]`` (under a minute).

Seeds the world of ``bench/api.py`` (its ``prepare``: seed 42, 2 generated customers a
bank, 60 months, frozen clock) into a temporary SQLite file, or with ``--postgres`` into a
throwaway PostgreSQL cluster on loopback (``tests/pgcluster.py``: every statement is a
round trip), with its token for the largest account, then times ``GET
{iss}/v1/accounts/{id}/transactions?limit=50`` through Flask's test client: ``--requests``
calls after a warm-up, in a fresh process per round. With ``--compare TREE`` (another
checkout, e.g. ``git worktree add /tmp/base <rev>``) that tree's code serves the same
database in the same rounds, first in every other round. Prints each round and the median
microseconds per request.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(tree: str, database: str, plan: dict, requests: int) -> float:
    """Microseconds per request of ``tree``'s code over ``database`` (in this process)."""
    sys.path.insert(0, tree)
    from sandbox import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SANDBOX_HISTORY_MONTHS": 60})
    client = app.test_client()
    url = f"/banks/{plan['bank']}/v1/accounts/{plan['account']}/transactions?limit=50"
    headers = {"Authorization": f"Bearer {plan['token']}"}
    for _ in range(200):
        assert client.get(url, headers=headers).status_code == 200
    started = time.perf_counter()
    for _ in range(requests):
        client.get(url, headers=headers)
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=Path, metavar="TREE")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true",
                        help="seed and serve a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--measure", nargs=3, metavar=("TREE", "DATABASE", "PLAN"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        tree, database, plan = args.measure
        print(measure(tree, database, json.loads(plan), args.requests))
        return
    trees = [str(ROOT)] + ([str(args.compare.resolve())] if args.compare else [])
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from api import prepare  # the world and token bench/api.py measures
    from tests.pgcluster import cluster

    with tempfile.TemporaryDirectory(prefix="sandbank-cost-") as folder, \
            (cluster() if args.postgres else nullcontext(f"sqlite:///{folder}/cost.db")) \
            as database:
        seeded = prepare(database, customers=2, months=60)
        plan = json.dumps({"bank": seeded["bank"], **seeded["big"]})
        figures: dict[str, list[float]] = {tree: [] for tree in trees}
        for round_ in range(1, args.rounds + 1):
            for tree in trees if round_ % 2 else reversed(trees):
                answer = subprocess.run(
                    [sys.executable, __file__, "--requests", str(args.requests), "--measure",
                     tree, database, plan], capture_output=True, text=True, check=True)
                figures[tree].append(float(answer.stdout.strip().splitlines()[-1]))
            print(f"round {round_}: " + " / ".join(
                f"{figures[tree][-1]:.0f} us" for tree in trees))
    engine = "PostgreSQL" if args.postgres else "SQLite"
    for tree in trees:
        print(f"{tree}: median {statistics.median(figures[tree]):.0f} us per transactions page "
              f"(GET ...?limit=50 of the largest account, in process, {engine})")


if __name__ == "__main__":
    main()
