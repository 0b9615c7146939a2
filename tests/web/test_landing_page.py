"""The landing page: banks in their colours, test logins, and links that lead somewhere."""
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox import catalog


class Links(HTMLParser):
    """Collects every ``<a href>`` (with its text), ``<img src>`` and ``<link href>``."""

    def __init__(self):
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.stylesheets: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self._open = [attributes["href"], ""]
        elif tag == "img":
            self.images.append(attributes["src"])
        elif tag == "link":
            self.stylesheets.append(attributes["href"])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


@pytest.fixture(scope="module")
def page(app):
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def links(page):
    parser = Links()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("bank", catalog.banks(), ids=lambda bank: bank["id"])
def test_each_bank_appears_in_its_brand_colour_with_its_logo(page, links, bank):
    assert bank["name"] in page
    assert f"--brand: {bank['brand']['primary_color']}" in page
    assert f"http://localhost/banks/{bank['id']}/logo.svg" in links.images


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        ("Cobalt Peak Bank", ["Enrolled users", "up to 200 rows", "up to 2 years", "15 min",
                              "60 days", "322271025"]),
        ("Harborline Bank", ["Enrolled users", "up to 100 rows", "up to 1 year", "1 h"]),
        ("Juniper Federal Credit Union", ["Every login", "up to 50 rows", "up to 90 days",
                                          "5 min", "30 days"]),
    ],
)
def test_each_bank_card_states_how_the_bank_differs(page, name, phrases):
    (card,) = [card for card in page.split('<article class="bank"')[1:] if name in card]
    text = " ".join(re.sub(r"<[^>]+>", " ", card).split())

    for phrase in phrases:
        assert phrase in text


def test_shows_the_persona_logins(page):
    for persona in catalog.personas():
        assert persona["username"] in page
        assert persona["description"].replace("'", "&#39;") in page
    assert "pass_good" in page
    assert "123456" in page


def test_links_to_docs_spec_and_discovery(links):
    hrefs = {href for href, _ in links.anchors}

    assert {"/docs", "/openapi.json"} <= hrefs
    for bank in catalog.banks():
        issuer = f"http://localhost/banks/{bank['id']}"
        assert f"{issuer}/.well-known/openid-configuration" in hrefs


def test_the_page_leads_with_the_chat_story(page, links):
    main = page.split("<main", 1)[1]
    steps = re.findall(r'class="flow-step">([^<]+)<', main)
    sections = re.findall(r"<h2[^>]*>([^<]+)</h2>", main)

    assert steps == ["Open the chat", "Link a bank", "Ask", "Remove access"]
    assert sections == ["Banks", "Test users", "For developers"]
    assert main.index('class="flow"') < main.index("<h2")
    assert links.anchors[1] == ("/demo/chat", "Sandbank Chat")
    assert ("/demo/chat", "Open Sandbank Chat") in links.anchors


def test_each_bank_card_links_to_its_connected_apps(links):
    hrefs = {href for href, _ in links.anchors}

    for bank in catalog.banks():
        assert f"http://localhost/banks/{bank['id']}/connections" in hrefs


def test_consent_page_links_start_a_pkce_flow_that_states_its_purpose(links):
    tries = [href for href, text in links.anchors if text.startswith("Consent pages")]

    assert len(tries) == len(catalog.banks())
    for href, bank in zip(tries, catalog.banks()):
        url = urlsplit(href)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        assert f"{url.scheme}://{url.netloc}{url.path}" == (
            f"http://localhost/banks/{bank['id']}/authorize")
        assert query["client_id"] == "demo-public"
        assert query["response_type"] == "code"
        assert query["redirect_uri"] == "http://127.0.0.1/callback"
        assert query["code_challenge_method"] == "S256"
        assert "openid" in query["scope"].split()
        assert "in a chat" in query["purpose"]


def test_no_copy_paste_of_codes_and_curl_for_the_presenter(page):
    for instruction in ("code_verifier", "curl", "address bar", "60 seconds"):
        assert instruction not in page


def test_the_purpose_reaches_the_consent_page(client, links):
    (href, _) = next(anchor for anchor in links.anchors if anchor[1].startswith("Consent pages"))
    sign_in = client.get(href)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', sign_in.text).group(1),
            "step": "login", "username": "user_good", "password": "pass_good"}

    consent = client.post(href, data=form, follow_redirects=True)

    assert "Show your balances, recent transactions, receipts and parcel deliveries" in (
        consent.text)


def test_every_link_on_the_page_leads_somewhere(client, links):
    targets = {href for href, _ in links.anchors if not href.startswith("#")}
    targets |= set(links.images) | set(links.stylesheets)

    statuses = {href: client.get(href).status_code for href in sorted(targets)}

    assert {href: status for href, status in statuses.items() if status != 200} == {}
