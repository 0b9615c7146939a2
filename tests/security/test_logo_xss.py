"""Finding 14 of issue 9, against a live server: a scenario stored a bank logo with ``<script>``
and ``onerror=``, and the sign-in page rendered it raw. Logos are now ``<img>`` resources
served as ``image/svg+xml`` under a policy that runs no script; every HTML page sends a
Content-Security-Policy that runs no inline script, and every response ``nosniff``."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
import requests

from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.oauth.browser import BANK, CALLBACK, Page, authorize_url, live_browser

MARKER = "xss-marker-14"
LOGO = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="{MARKER}()">'
        f'<script>document.title = "{MARKER}"</script>'
        f'<image href="missing.png" onerror="{MARKER}()"/></svg>')
TAGLINE = f"<script>{MARKER}()</script><img src=x onerror={MARKER}()>"
#: Script sources a policy must never allow.
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")


class Markup(HTMLParser):
    """The tags, attributes and text of a page, as a browser would parse them."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as ``{directive: sources}``."""
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def script_sources(policy: str) -> list[str]:
    """What the policy lets run as script (``script-src``, else ``default-src``)."""
    parsed = directives(policy)
    return parsed.get("script-src", parsed.get("default-src"))


@pytest.fixture(scope="module")
def admin(live_server) -> SandboxAdmin:
    """The live server's control plane, with the malicious brand loaded at the bank."""
    control = SandboxAdmin(http_transport(live_server))
    control.load_scenario({"banks": [{"id": BANK, "brand": {"logo_svg": LOGO,
                                                           "tagline": TAGLINE}}]})
    return control


@pytest.fixture(scope="module")
def pages(live_server, admin) -> dict[str, Page]:
    """Every kind of HTML page, fetched as a browser would, the malicious brand loaded."""
    def signed_in(username: str | None, **request) -> Page:
        browser = live_browser(requests.Session(), live_server)
        page = browser.open(authorize_url(**request))
        return page if username is None else browser.submit(
            page, {"username": username, "password": "pass_good"})

    found = {
        "landing": live_browser(requests.Session(), live_server).open("/"),
        "docs": live_browser(requests.Session(), live_server).open("/docs"),
        "sign-in": signed_in(None), "consent": signed_in("user_good"),
        "one-time code": signed_in("user_mfa"), "maintenance": signed_in("user_error_login_503"),
        "error": signed_in(None, redirect_uri=CALLBACK + "/elsewhere"),
    }
    for name, status in (("sign-in", 200), ("consent", 200), ("one-time code", 200),
                         ("maintenance", 503), ("error", 400)):
        assert found[name].status == status, (name, found[name].text[:300])
    return found


def test_the_stored_logo_is_an_image_never_markup(live_server, pages):
    listing = requests.get(f"{live_server}/banks", timeout=10).json()["banks"]
    logo_url = next(bank for bank in listing if bank["id"] == BANK)["brand"]["logo_url"]
    for name in ("landing", "sign-in", "consent", "one-time code", "maintenance", "error"):
        markup = Markup(pages[name].text)
        assert ("img", logo_url) in [(tag, attrs.get("src")) for tag, attrs in markup.tags], name
        assert not [tag for tag, _ in markup.tags if tag in ("script", "image")], name
        assert not [key for _, attrs in markup.tags for key in attrs if key.startswith("on")]
        assert not [value for _, attrs in markup.tags for value in attrs.values()
                    if MARKER in (value or "")], name
        if name != "landing":
            assert MARKER not in pages[name].text, name
    assert TAGLINE in "".join(Markup(pages["landing"].text).text)


def test_the_logo_url_serves_svg_that_cannot_run_script(live_server, admin):
    listing = requests.get(f"{live_server}/banks", timeout=10).json()["banks"]
    logo = requests.get(next(bank for bank in listing if bank["id"] == BANK)["brand"]["logo_url"],
                        timeout=10)
    assert logo.status_code == 200
    assert logo.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert directives(logo.headers["Content-Security-Policy"])["default-src"] == ["'none'"]
    assert script_sources(logo.headers["Content-Security-Policy"]) == ["'none'"]
    assert logo.text == LOGO


@pytest.mark.parametrize("name", ["landing", "docs", "sign-in", "consent", "one-time code",
                                  "maintenance", "error"])
def test_every_html_page_has_a_policy_that_runs_no_inline_script(pages, name):
    page = pages[name]
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src" in directives(policy)
    assert directives(policy)["frame-ancestors"] == ["'none'"]
    sources = script_sources(policy)
    assert sources and not set(sources) & set(UNSAFE_SOURCES), policy
    scripts = [attrs for tag, attrs in Markup(page.text).tags if tag == "script"]
    assert all(attrs.get("src") for attrs in scripts), name
    if name == "docs":
        # Swagger UI's bundle, its standalone preset (the list of documents) and docs.js.
        assert sources == ["'self'"] and len(scripts) == 3
    else:
        assert sources == ["'none'"] and not scripts


def test_the_docs_page_finds_its_scripts_and_settings_on_this_server(live_server, pages):
    markup = Markup(pages["docs"].text)
    for tag, attrs in markup.tags:
        if tag == "script":
            script = requests.get(live_server + attrs["src"], timeout=10)
            assert script.status_code == 200
            assert "javascript" in script.headers["Content-Type"]
    container = next(attrs for tag, attrs in markup.tags if attrs.get("id") ==
                     "swagger-ui-container")
    spec = requests.get(live_server + container["data-spec-url"], timeout=10)
    assert spec.json()["info"]["title"] == "Sandbank"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/healthz"), ("GET", "/banks"), ("GET", "/openapi.json"),
    ("GET", "/static/sandbank.css"), ("GET", "/nowhere"), ("GET", f"/banks/{BANK}/v1/accounts"),
    ("POST", f"/banks/{BANK}/token"), ("GET", "/sandbox/clock"),
])
def test_every_response_is_nosniff(live_server, method, path):
    answer = requests.request(method, live_server + path, timeout=10)
    assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.status_code
