"""Fixtures of the client compatibility suite: one live server per clock setting (shared by
the banks), openid-client installed from the lock file, and a person at a browser."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from sandbox import catalog
from sandbox.testing.server import sandbox_serve
from tests.oauth.browser import live_browser

NODE_DIR = Path(__file__).with_name("node")
#: The clock settings every library must cope with, without a clock-skew option: the wall
#: clock, and the sandbox clock pinned a year behind and a year ahead of it.
CLOCKS = {"wall": None, "past": timedelta(days=-365), "future": timedelta(days=365)}
BANKS = [bank["id"] for bank in catalog.banks()]
SCOPE = "openid profile offline_access accounts balances"
#: A small world seeds in seconds at start-up; the clock run needs no more.
WORLD = {"SANDBOX_CUSTOMERS": "1", "SANDBOX_HISTORY_MONTHS": "1"}


class RelyingPartyError(AssertionError):
    """openid-client (or an assertion in the script) refused a step."""


@pytest.fixture(scope="session")
def openid_client():
    """Run one step of ``node/rp.mjs``: ``openid_client(step, **command) -> result``.

    ``npm ci`` installs the locked openid-client into ``node/node_modules`` when missing."""
    if not (NODE_DIR / "node_modules" / "openid-client").is_dir():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {NODE_DIR} failed:\n{done.stderr[-3000:]}")

    def run(step: str, **command) -> dict:
        done = subprocess.run(["node", "rp.mjs"], cwd=NODE_DIR, capture_output=True, text=True,
                              input=json.dumps({"step": step, **command}), timeout=60)
        if done.returncode != 0:
            raise RelyingPartyError(f"openid-client {step}: {done.stderr.strip()}")
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="module", params=list(CLOCKS))
def sandbox(request, tmp_path_factory) -> dict:
    """A server over a fresh small world, on the wall clock or pinned (``SANDBOX_CLOCK``) a
    year away from it: ``{"base", "clock", "pinned", "database"}``, ``pinned`` None on the wall
    clock."""
    shift = CLOCKS[request.param]
    env = dict(WORLD)
    pinned = None
    if shift is not None:
        pinned = (datetime.now(timezone.utc) + shift).replace(microsecond=0)
        env["SANDBOX_CLOCK"] = pinned.isoformat().replace("+00:00", "Z")
    folder = tmp_path_factory.mktemp(f"compat-{request.param}")
    database = f"sqlite:///{folder / 'sandbox.db'}"
    with sandbox_serve(database, folder / "logs", env=env) as base:
        yield {"base": base, "clock": request.param, "pinned": pinned, "database": database}


@pytest.fixture
def person(sandbox):
    """Someone at a browser, with their own cookies, in front of ``sandbox``."""
    return live_browser(requests.Session(), sandbox["base"])
