"""The screenshot of Connected apps in the docs (``docs/img/connections.png``), taken the way
the browser tests drive the page. Run: ``.venv/bin/python -m tests.browser.screenshot_connections``
(needs Debian's ``chromium``; about half a minute).

Seeds a small world (personas only, one month, 2026-03-01), serves it, lets ``demo-app`` read
``user_good``'s balances and transactions at Harborline, removes an older app's access, signs
in at ``{iss}/connections`` in Chromium (1280 px wide) and saves the page.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from sandbox.testing.admin import SandboxAdmin, http_transport
from sandbox.testing.server import sandbox_serve
from tests.browser.conftest import CHROMIUM, FLAGS, VIEWPORTS

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "img" / "connections.png"
ENV = {"SANDBOX_HISTORY_MONTHS": "1"}


def main() -> None:
    sandbox = str(Path(sys.executable).with_name("sandbox"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'world.db'}"
        subprocess.run([sandbox, "seed", "--database", url, "--customers", "0", "--as-of",
                        "2026-03-01"], check=True, env={**os.environ, **ENV},
                       stdout=subprocess.DEVNULL)
        with sandbox_serve(url, Path(folder) / "logs", env=ENV) as base:
            admin = SandboxAdmin(http_transport(base))
            old = admin.token("harborline", "user_good", "accounts transactions",
                              purpose="Budgeting")
            admin.revoke_consent("harborline", old.consent_id)
            token = admin.token("harborline", "user_good",
                                "openid accounts balances transactions receipts shipments",
                                purpose="Answer your questions about balances, receipts "
                                        "and parcels in Sandbank Chat")
            api = f"{base}/banks/harborline/v1"
            account = requests.get(f"{api}/accounts", headers=token.headers,
                                   timeout=30).json()["data"][0]["id"]
            for path in ["balances"] * 3 + ["transactions"] * 2:
                requests.get(f"{api}/accounts/{account}/{path}", headers=token.headers,
                             timeout=30)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     args=list(FLAGS))
                page = browser.new_page(viewport=VIEWPORTS["desktop"])
                page.goto(f"{base}/banks/harborline/connections")
                page.fill("#username", "user_good")
                page.fill("#password", "pass_good")
                page.get_by_role("button", name="Sign in").click()
                page.locator(f'[data-consent="{token.consent_id}"]').wait_for()
                page.screenshot(path=str(OUTPUT), full_page=True)
                browser.close()
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
