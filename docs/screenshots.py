"""The documentation's screenshots, taken in Debian's Chromium (Playwright) against a live
sandbox: ``make screenshots``, or ``python docs/screenshots.py [--base URL] [NAME ...]``.

Every function decorated with :func:`shot` is one page: it gets a Playwright ``page`` and the
server's base URL, brings the page to the state worth showing, and returns; the script then
saves ``docs/img/{name}-phone.png`` (390 px wide) and ``docs/img/{name}-desktop.png``
(1280 px), the widths of the browser tests. Without ``--base``, the script serves a small
world of its own, its clock frozen, so that the same code takes the same pictures.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.testing.server import database_url, sandbox_serve  # noqa: E402
from tests.browser.conftest import CHROMIUM, FLAGS, VIEWPORTS  # noqa: E402

IMAGES = ROOT / "docs" / "img"
#: The world the pictures show: small, and always the same day.
WORLD = {"SANDBOX_CLOCK": "2026-03-01T12:00:00Z", "SANDBOX_HISTORY_MONTHS": "2",
         "SANDBOX_CUSTOMERS": "3"}

Shot = Callable[..., None]
SHOTS: dict[str, Shot] = {}


def shot(function: Shot) -> Shot:
    """Register ``function(page, base)`` as the screenshot named after it."""
    SHOTS[function.__name__.replace("_", "-")] = function
    return function


@shot
def landing(page, base: str) -> None:
    """The landing page, from the top: the story, then the banks."""
    page.goto(base + "/")


@shot
def consent(page, base: str) -> None:
    """Harborline's consent page for the landing page's demo link, signed in as user_good,
    from the accounts to share down to the purpose and the buttons."""
    page.goto(base + "/")
    page.get_by_role("link", name="Consent pages of Harborline Bank").click()
    page.fill("#username", "user_good")
    page.fill("#password", "pass_good")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.get_by_role("heading", name="Accounts to share").evaluate(
        "heading => heading.scrollIntoView()")


def _chat_linked(page, base: str) -> None:
    """Sandbank Chat with Harborline linked for user_good, through the bank's own pages."""
    page.goto(base + "/demo/chat")
    page.click('[data-action="link"]')
    page.locator('[data-bank="harborline"]').last.click()
    page.fill("#username", "user_good")
    page.fill("#password", "pass_good")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.click('button[value="approve"]')
    page.locator('[data-kind="linked"]').last.wait_for()


def _ask(page, words: str) -> None:
    """Send ``words`` and wait for the bot's answer, scrolled into view."""
    answers = page.locator('[data-from="bot"]').count()
    page.fill('[name="message"]', words)
    page.keyboard.press("Enter")
    page.locator('[data-from="bot"]').nth(answers).wait_for()
    page.locator("#thread").evaluate("thread => { thread.scrollTop = thread.scrollHeight; }")


@shot
def chat_linked(page, base: str) -> None:
    """Sandbank Chat just linked to Harborline, answering "what's my balance?"."""
    _chat_linked(page, base)
    _ask(page, "What's my balance?")


@shot
def chat_receipt(page, base: str) -> None:
    """The bot's itemised receipt card."""
    _chat_linked(page, base)
    _ask(page, "Show my last receipt")


@shot
def chat_proactive(page, base: str) -> None:
    """A card purchase injected through the control plane, announced by the bank's webhook."""
    import requests

    _chat_linked(page, base)
    admin = {"X-Sandbox-Admin-Key": "sandbox-admin"}
    token = requests.post(f"{base}/sandbox/banks/harborline/tokens", headers=admin, timeout=30,
                          json={"username": "user_good", "scope": "accounts"}).json()
    accounts = requests.get(f"{base}/banks/harborline/v1/accounts", timeout=30, headers={
        "Authorization": f"Bearer {token['access_token']}"}).json()["data"]
    card = next(account for account in accounts if account["type"] == "credit_card")
    requests.post(f"{base}/sandbox/banks/harborline/accounts/{card['id']}/transactions",
                  headers=admin, timeout=30, json={"transactions": [
                      {"amount": "-18.40", "description": "HARBOR NOODLE BAR",
                       "channel": "in_store"}]}).raise_for_status()
    page.locator('[data-kind="notice"]').last.wait_for(timeout=30_000)
    page.locator("#thread").evaluate("thread => { thread.scrollTop = thread.scrollHeight; }")


@shot
def connections(page, base: str) -> None:
    """Harborline's Connected apps for user_good: an app that read balances and
    transactions today, and under History an app whose access the bank removed."""
    from sandbox.testing.admin import SandboxAdmin, http_transport

    admin = SandboxAdmin(http_transport(base))
    old = admin.token("harborline", "user_good", "accounts transactions", purpose="Budgeting")
    admin.revoke_consent("harborline", old.consent_id)
    token = admin.token("harborline", "user_good",
                        "openid accounts balances transactions receipts shipments",
                        purpose="Answer your questions about balances, receipts and parcels "
                                "in Sandbank Chat")
    api = f"{base}/banks/harborline/v1"
    account = page.request.get(f"{api}/accounts", headers=token.headers).json()["data"][0]
    for kind in ["balances"] * 3 + ["transactions"] * 2:
        page.request.get(f"{api}/accounts/{account['id']}/{kind}", headers=token.headers)
    page.goto(f"{base}/banks/harborline/connections")
    page.fill("#username", "user_good")
    page.fill("#password", "pass_good")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.locator(f'[data-consent="{token.consent_id}"]').wait_for()


def take(browser, base: str, names: list[str], folder: Path = IMAGES) -> list[Path]:
    """Take the screenshots ``names`` (all when empty) at both widths into ``folder``, with a
    Playwright ``browser``; the files written."""
    written = []
    for name in names or SHOTS:
        for width, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            SHOTS[name](page, base)
            path = folder / f"{name}-{width}.png"
            page.screenshot(path=str(path))
            written.append(path)
            context.close()
    return written


def take_all(base: str, names: list[str]) -> list[Path]:
    """:func:`take` in a Chromium of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        try:
            return take(browser, base, names)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a running sandbox's base URL (default: serve one)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"screenshots to take (default: all of {', '.join(SHOTS)})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(SHOTS))
    if unknown:
        parser.error(f"no screenshot named {', '.join(unknown)}: choose from {', '.join(SHOTS)}")
    if args.base:
        written = take_all(args.base.rstrip("/"), args.names)
    else:
        with tempfile.TemporaryDirectory() as folder, sandbox_serve(
                database_url(Path(folder) / "screenshots.db"), Path(folder), workers=1,
                env=WORLD) as base:
            written = take_all(base, args.names)
    for path in written:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
