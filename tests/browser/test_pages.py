"""Every page of Sandbank in Chromium at a phone's and a laptop's width: axe-core finds no
serious or critical violation, nothing scrolls sideways, focus rings stand out from what is
behind them, and browsers get HTML error pages while API clients keep problem+json."""
from __future__ import annotations

import secrets

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from sandbox import catalog
from sandbox.services.banks import demo_authorize_url
from tests.browser.conftest import assert_accessible, assert_fits

BANKS = [bank["id"] for bank in catalog.banks()]
#: WCAG 2.2 (1.4.11, 2.4.13): a focus indicator contrasts at least 3:1 with what is behind it.
FOCUS_CONTRAST = 3.0
#: The most Tab presses a page gets to come back round to the start.
MAX_TABS = 80

#: The focused element's outline, and the contrast of its colour against the background the
#: outline is drawn on (the parent's, translucent layers composited over white).
FOCUS_RING = """() => {
  const element = document.activeElement;
  const rgba = (text) => {
    const parts = text.match(/rgba?\\(([^)]+)\\)/)[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const layers = [];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) { layers.push(colour); if (colour[3] >= 1) break; }
  }
  let behind = [255, 255, 255];
  for (const colour of layers.reverse()) {
    behind = behind.map((value, i) => colour[i] * colour[3] + value * (1 - colour[3]));
  }
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((value) => {
      value /= 255;
      return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [ring, back] = [luminance(rgba(style.outlineColor).slice(0, 3)), luminance(behind)];
  return {
    element: element.tagName + " " + (element.textContent || element.name || "").trim().slice(0, 40),
    body: element === document.body,
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    contrast: (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05),
  };
}"""


def authorize_url(base: str, bank: str) -> str:
    """The landing page's link to a bank's consent pages (``demo-public``, PKCE)."""
    challenge = create_s256_code_challenge(secrets.token_urlsafe(48))
    return demo_authorize_url(f"{base}/banks/{bank}", challenge, secrets.token_urlsafe(12))


def sign_in(page, username: str = "user_good") -> None:
    page.fill("#username", username)
    page.fill("#password", "pass_good")
    with page.expect_navigation():
        page.click("button[type=submit]")


def focus_rings(page) -> list[dict]:
    """Tab round the page once (through the browser's own stop back to the top), measuring
    the focus ring of every stop."""
    rings = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if rings and ring == rings[0]:
            break
        if not ring["body"]:
            rings.append(ring)
    return rings


def assert_focus_visible(page) -> None:
    rings = focus_rings(page)
    assert rings, "nothing on the page takes focus"
    faint = [ring for ring in rings if ring["style"] == "none" or ring["width"] < 2
             or ring["contrast"] < FOCUS_CONTRAST]
    assert not faint, faint


def test_the_landing_page(page, live_server):
    page.goto(live_server + "/")

    for bank in catalog.banks():
        assert page.get_by_role("heading", name=bank["name"]).is_visible()
    assert page.get_by_role("link", name="Open Sandbank Chat").is_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_focus_visible(page)


def test_the_interactive_docs(page, live_server):
    page.goto(live_server + "/docs")
    page.wait_for_selector(".opblock-summary-control")

    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("meta[name=viewport]").count() == 1
    assert_accessible(page)
    assert_fits(page)


@pytest.mark.parametrize("bank", BANKS)
def test_each_bank_sign_in_page(page, live_server, bank):
    page.goto(authorize_url(live_server, bank))

    assert page.get_by_role("heading", name="Sign in to").is_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_focus_visible(page)


def test_the_one_time_code_page(page, live_server):
    page.goto(authorize_url(live_server, "harborline"))
    sign_in(page, "user_mfa")

    assert page.get_by_label("One-time code").is_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_focus_visible(page)


def test_the_consent_page(page, live_server):
    page.goto(authorize_url(live_server, "copperleaf"))
    sign_in(page)

    assert page.get_by_text("in a chat, when you ask").is_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_focus_visible(page)


def test_a_bank_error_page(page, live_server):
    response = page.goto(f"{live_server}/banks/juniper/authorize?response_type=code"
                         "&client_id=no-such-app")

    assert response.status == 400
    assert_accessible(page)
    assert_fits(page)


def test_a_404_page_for_a_browser_and_problem_json_for_an_api_client(page, live_server):
    response = page.goto(live_server + "/no/such/page")

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert page.get_by_role("heading", name="Not Found").is_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_focus_visible(page)
    answer = page.request.get(live_server + "/no/such/page",
                              headers={"Accept": "application/json"})
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Not Found"


def test_an_api_path_keeps_problem_json_for_a_browser(page, live_server):
    response = page.goto(live_server + "/banks/harborline/v1/accounts")

    assert response.status == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_an_error_page_shows_what_it_repeats_from_the_address_as_text(page, live_server):
    response = page.goto(live_server + "/banks/<img src=x onerror=alert(1)>/authorize")

    assert response.status == 404
    assert page.locator("img[src=x]").count() == 0
    assert page.get_by_text("There is no bank '<img src=x onerror=alert(1)>'.").is_visible()
