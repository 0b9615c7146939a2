"""Data API throughput and latency under gunicorn, on SQLite and on PostgreSQL, against a
bare Flask "hello world" served with the same gunicorn settings. Run: ``.venv/bin/python
bench/api.py`` (a few minutes; needs ``wrk`` on the PATH, ``apt-get install -y wrk``, and
for PostgreSQL Debian's ``postgresql`` and the ``postgres`` extra; ``--engine sqlite`` runs
one engine).

1. Seeds the same world (4 banks, personas + ``--customers`` each, ``--months`` of history,
   frozen clock) into a temporary SQLite file and into a database of a throwaway PostgreSQL
   cluster on loopback (``tests.pgcluster``); ``user_business`` then has an account of
   20,000+ transactions. Also picks the account closest to 100 transactions at the same bank.
2. Mints bearer tokens for both accounts' owners (scope ``accounts transactions``).
3. Serves the sandbox over each database with ``sandbox.serving.gunicorn_settings`` (2
   gthread workers of 8 threads, a listening socket per worker), and a bare Flask hello world
   under the same settings without the sandbox's hooks (seeding, delivery worker), all at
   once (an idle server costs nothing).
4. Warms them up, then runs ``--rounds`` rounds; each drives, one after the other, with wrk at
   ``--connections`` for ``--duration`` seconds: ``GET {iss}/v1/accounts/{id}/transactions
   ?limit=50`` of the big account, the same of the small account (per engine), and the hello
   world; every other round runs them in the reverse order. Alternating rounds keep a busy
   machine from favouring one side, and the reversal keeps a run's place in the round from
   favouring one target. With ``--compare TREE`` (another checkout of Sandbank, e.g. ``git
   worktree add /tmp/base main``) the sandbox of that tree is served over the same database
   too and measured in the same rounds: before and after, paired on one machine.
   ``--duration 60 --rounds 1`` gives the p99 of one 60-second run.

Prints every round's figures, then per engine the median over the rounds of: requests per
second of the big account and of hello world, their ratio, p50 and p99 of the big account,
and the p50 of the first page of the small and the big account, with the issue's goals
beside them; and PostgreSQL's ratio over SQLite's (goal: at least 0.7).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.testing.server import free_port, stop  # noqa: E402  (stdlib only)

AS_OF = date(2026, 3, 1)
GOAL_RATIO = 0.4
FAIL_RATIO = 0.25
GOAL_P99_MS = 50.0
GOAL_P50_SPREAD = 1.3
GOAL_POSTGRES_VS_SQLITE = 0.7
ENGINES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=2,
                        help="generated customers per bank (default 2)")
    parser.add_argument("--months", type=int, default=60,
                        help="months of history; 60 gives user_business 20,000+ rows")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (median)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--engine", action="append", choices=tuple(ENGINES),
                        help="sqlite or postgres, repeatable (default: both)")
    parser.add_argument("--compare", type=Path, metavar="TREE", action="append", default=[],
                        help="also serve the sandbox of another checkout, in the same rounds "
                             "(repeatable)")
    parser.add_argument("--serve", choices=("api", "hello"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    return parser.parse_args()


def hello_app():
    """The baseline: the smallest Flask application."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app


def serve(kind: str, port: int, database: str | None) -> None:
    """Run gunicorn in the foreground with the sandbox's settings (child process)."""
    from gunicorn.app.base import BaseApplication

    from sandbox.serving import SandboxServer, gunicorn_settings, spread_connections

    settings = gunicorn_settings("127.0.0.1", port, 2)
    if kind == "api":
        SandboxServer(settings, {"SQLALCHEMY_DATABASE_URI": database}).run()
        return

    class Hello(BaseApplication):
        def load_config(self):
            for key, value in settings.items():
                if not callable(value):
                    self.cfg.set(key, value)
            self.cfg.set("on_starting", spread_connections)  # a socket per worker, as served

        def load(self):
            return hello_app()

    Hello().run()


def start(kind: str, database: str | None = None,
          tree: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Start a gunicorn child serving the code of ``tree``; answer it and its base URL once
    it answers."""
    port = free_port()
    command = [sys.executable, str(tree / "bench" / "api.py"), "--serve", kind,
               "--port", str(port)]
    if database:
        command += ["--database", database]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={k: v for k, v in os.environ.items()
                                    if not k.startswith("SANDBOX_")})
    base = f"http://127.0.0.1:{port}"
    probe = f"{base}/healthz" if kind == "api" else base
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=5):
                return process, base
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    stop(process, timeout=20)
    raise SystemExit(f"the {kind} server did not start")


def wrk(url: str, duration: int, connections: int, token: str | None = None) -> dict:
    """Run wrk; answer requests/second and latency percentiles in milliseconds."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if failures:
        raise SystemExit(f"{failures.group(1)} requests to {url} failed:\n{output}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        value, unit = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)\b", output).groups()
        result[f"p{percentile}"] = float(value) * _UNITS[unit]
    return result


def prepare(database: str, customers: int, months: int) -> dict:
    """Seed the world and mint tokens; answer the accounts, their sizes and tokens."""
    import sqlalchemy as sa

    from sandbox import create_app
    from sandbox.extensions import db
    from sandbox.models import Account, Customer, Transaction
    from sandbox.services.seeding import format_summary, seed_world
    from sandbox import clock, unit_of_work
    from sandbox.oauth.minting import mint_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SANDBOX_HISTORY_MONTHS": months})
    with app.app_context():
        with unit_of_work.transaction() as session:
            summary = seed_world(session, seed=42, customers=customers, months=months,
                                 as_of=AS_OF, fresh=True)
        print(format_summary(summary))
        counts = db.session.execute(
            sa.select(Account.bank_id, Account.id, Customer.username, sa.func.count())
            .join(Customer, Customer.id == Account.customer_id)
            .join(Transaction, Transaction.account_id == Account.id)
            .group_by(Account.id, Account.bank_id, Customer.username)).all()
        big = max(counts, key=lambda row: row[3])
        small = min((row for row in counts if row.bank_id == big.bank_id),
                    key=lambda row: abs(row[3] - 100))
        plan = {"bank": big.bank_id}
        for name, row in (("big", big), ("small", small)):
            with unit_of_work.transaction() as session:
                token = mint_token(session, row.bank_id, "demo-app", row.username,
                                   "accounts transactions", [row.id], now=clock.now())
            plan[name] = {"account": row.id, "rows": row[3], "user": row.username,
                          "token": token["access_token"]}
        db.engine.dispose()
    return plan


@contextmanager
def databases(folder: str, engines: list[str]) -> Iterator[dict[str, str]]:
    """A fresh database URL per engine: a SQLite file in ``folder``, and a database on a
    throwaway PostgreSQL cluster (``tests.pgcluster``) for as long as the block runs."""
    urls = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"} if "sqlite" in engines else {}
    if "postgres" not in engines:
        yield urls
        return
    import sqlalchemy as sa

    from tests.pgcluster import cluster

    with cluster() as maintenance:
        engine = sa.create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE bench")
        engine.dispose()
        url = sa.engine.make_url(maintenance).set(database="bench")
        yield {**urls, "postgres": url.render_as_string(hide_password=False)}


def median_run(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")}


def report(engine: str, plan: dict, runs: dict, hello_run: dict, connections: int) -> float:
    """Print one engine's figures; answer its ratio to hello world."""
    big, small = plan["big"], plan["small"]
    big_run, small_run = median_run(runs[f"{engine} big"]), median_run(runs[f"{engine} small"])
    ratio = big_run["rps"] / hello_run["rps"]
    spread = max(big_run["p50"], small_run["p50"]) / min(big_run["p50"], small_run["p50"])
    verdict = ("goal met" if ratio >= GOAL_RATIO else
               "below goal" if ratio >= FAIL_RATIO else "NOT resolved (< 0.25)")
    print(f"\n{ENGINES[engine]}:")
    print(f"transactions?limit=50, {big['rows']:,}-row account: {big_run['rps']:8.0f} req/s")
    print(f"hello world:                              {hello_run['rps']:8.0f} req/s")
    print(f"ratio:                                    {ratio:8.2f}   "
          f"(goal >= {GOAL_RATIO}: {verdict})")
    print(f"p50 / p99 at {connections} connections:             "
          f"{big_run['p50']:.2f} / {big_run['p99']:.2f} ms   (goal p99 < {GOAL_P99_MS:.0f} ms: "
          f"{'met' if big_run['p99'] < GOAL_P99_MS else 'missed'})")
    print(f"first-page p50, {small['rows']:,} vs {big['rows']:,} rows:  "
          f"{small_run['p50']:.2f} vs {big_run['p50']:.2f} ms   (x{spread:.2f}; goal within "
          f"x{GOAL_P50_SPREAD}: {'met' if spread <= GOAL_P50_SPREAD else 'missed'})")
    return ratio


def main() -> None:
    from sandbox.serving import THREADS

    args = parse_args()
    if args.serve:
        serve(args.serve, args.port, args.database)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk`, then run again.")
    engines = args.engine or list(ENGINES)
    targets, plans, servers = {}, {}, []
    with tempfile.TemporaryDirectory() as folder, databases(folder, engines) as urls:
        try:
            for engine, database in urls.items():
                print(f"{ENGINES[engine]}:")
                plan = plans[engine] = prepare(database, args.customers, args.months)
                for name in ("big", "small"):
                    info = plan[name]
                    print(f"{name} account: {info['account']} of {info['user']}, "
                          f"{info['rows']:,} transactions")
                api, base = start("api", database)
                servers.append(api)
                for name in ("big", "small"):
                    targets[f"{engine} {name}"] = (
                        f"{base}/banks/{plan['bank']}/v1/accounts/{plan[name]['account']}"
                        f"/transactions?limit=50", plan[name]["token"])
                for tree in args.compare:
                    other, other_base = start("api", database, tree.resolve())
                    servers.append(other)
                    targets[f"{engine} big {tree}"] = (
                        targets[f"{engine} big"][0].replace(base, other_base),
                        plan["big"]["token"])
            hello, hello_base = start("hello")
            servers.append(hello)
            targets["hello"] = (hello_base + "/", None)
            for url, token in targets.values():
                wrk(url, 3, args.connections, token)
            runs = {name: [] for name in targets}
            for round_ in range(args.rounds):
                order = list(targets) if round_ % 2 == 0 else list(reversed(targets))
                for name in order:
                    url, token = targets[name]
                    runs[name].append(wrk(url, args.duration, args.connections, token))
        finally:
            for process in servers:
                stop(process, timeout=20)
    print(f"\nwrk, 2 threads, {args.connections} connections, {args.duration} s per run, median "
          f"of {args.rounds} alternating rounds; gunicorn: 2 gthread workers of {THREADS} "
          f"threads (sandbox.serving.gunicorn_settings)")
    print(f"rounds, req/s (p50 / p99 ms) of {' / '.join(targets)}:")
    for row in zip(*runs.values()):
        print("  " + " / ".join(f"{run['rps']:.0f} ({run['p50']:.1f} / {run['p99']:.0f})"
                                for run in row))
    hello_run = median_run(runs["hello"])
    ratios = {engine: report(engine, plans[engine], runs, hello_run, args.connections)
              for engine in urls}
    for engine in urls:
        this = median_run(runs[f"{engine} big"])
        for tree in args.compare:
            other = median_run(runs[f"{engine} big {tree}"])
            print(f"\n{ENGINES[engine]}, this tree / {tree}: req/s "
                  f"{this['rps'] / other['rps']:.2f}, ratio to hello "
                  f"{this['rps'] / hello_run['rps']:.2f} vs {other['rps'] / hello_run['rps']:.2f}"
                  f", p99 {this['p99']:.1f} vs {other['p99']:.1f} ms")
    if len(ratios) == 2:
        relative = ratios["postgres"] / ratios["sqlite"]
        print(f"\nPostgreSQL / SQLite ratio:                {relative:8.2f}   (goal >= "
              f"{GOAL_POSTGRES_VS_SQLITE}: "
              f"{'met' if relative >= GOAL_POSTGRES_VS_SQLITE else 'missed'})")


if __name__ == "__main__":
    main()
