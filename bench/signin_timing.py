"""How long a failed sign-in takes for a known and for an unknown username (issue 9, finding
11): the two should cost the same, so the answer's timing does not tell which usernames exist.
Run: ``.venv/bin/python bench/signin_timing.py`` (about half a minute).

Seeds a small world (personas only, one month) into a temporary SQLite file, serves it with
``sandbox serve`` (2 workers), then alternates ``--rounds`` failed sign-ins of ``user_good``
and of usernames that do not exist, each timed from the form POST to its answer. The
sign-in throttle is cleared through the control plane after every attempt (untimed), so no
answer is a cool-down. Prints the median and quartiles of both, and their ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from sandbox.testing.server import sandbox_serve  # noqa: E402
from tests.oauth.browser import BANK, Pkce, authorize_url, live_browser  # noqa: E402

ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}
ENV = {"SANDBOX_HISTORY_MONTHS": "1"}


def failed_sign_in_ms(base: str, username: str) -> float:
    """Milliseconds of one failed sign-in POST of ``username`` (the page load untimed)."""
    browser = live_browser(requests.Session(), base)
    page = browser.open(authorize_url(pkce=Pkce()))
    form = page.form
    data = [(name, value) for name, value in form.fields if name not in ("username", "password")]
    data += [("username", username), ("password", "not-the-password")]
    started = time.perf_counter()
    answer = browser.send("POST", base + form.action, data)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status == 400, answer.status
    requests.delete(f"{base}/sandbox/banks/{BANK}/sign-in-throttle", headers=ADMIN, timeout=10)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="attempts of each (default 40)")
    args = parser.parse_args()
    sandbox = str(Path(sys.executable).with_name("sandbox"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'world.db'}"
        subprocess.run([sandbox, "seed", "--database", url, "--customers", "0",
                        "--as-of", "2026-03-01"], check=True, env={**os.environ, **ENV},
                       stdout=subprocess.DEVNULL)
        with sandbox_serve(url, Path(folder) / "logs", env=ENV) as base:
            for warm in range(3):
                failed_sign_in_ms(base, "user_good")
                failed_sign_in_ms(base, f"warm_up_{warm}")
            known, unknown = [], []
            for attempt in range(args.rounds):
                known.append(failed_sign_in_ms(base, "user_good"))
                unknown.append(failed_sign_in_ms(base, f"nobody_{attempt:04d}"))
    for label, times in (("known username  ", known), ("unknown username", unknown)):
        q1, median, q3 = statistics.quantiles(times, n=4)
        print(f"{label}: median {median:7.1f} ms  (quartiles {q1:.1f} .. {q3:.1f} ms, "
              f"{len(times)} failed sign-ins)")
    ratio = statistics.median(unknown) / statistics.median(known)
    print(f"unknown / known median: {ratio:.2f} (1.00 = the same cost)")


if __name__ == "__main__":
    main()
