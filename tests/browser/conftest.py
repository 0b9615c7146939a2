"""Real-browser tests: Debian's Chromium (``/usr/bin/chromium``, from apt, never from
``playwright install``) driven by Playwright for Python against a live server, with axe-core
(shipped inside ``axe-playwright-python``) checking every page.

Without Chromium the tests skip, unless ``SANDBOX_REQUIRE_BROWSER`` is set (CI sets it): then
a missing browser fails the run.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium"))
#: As root on a closed network: no sandbox, no GPU, and nothing that phones home.
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
#: The two widths every page is checked at: a phone (390 px) and a laptop.
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
#: axe-core impacts that fail a test.
BLOCKING = ("serious", "critical")


def pytest_collection_modifyitems(items):
    """Mark every test of this folder ``browser`` (``make test-postgres`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the session."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("SANDBOX_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture(params=tuple(VIEWPORTS))
def page(browser, request) -> Iterator:
    """A page in a fresh browser context (no cookies), once per width of :data:`VIEWPORTS`."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = [violation for violation in Axe().run(page).response["violations"]
                  if violation["impact"] in BLOCKING]
    assert not violations, "\n".join(
        f"{v['impact']}: {v['id']}: {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations)


def assert_fits(page) -> None:
    """Nothing on the page scrolls sideways at its width."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than its {page.viewport_size}"
