"""A browser that fills the sandbox's real HTML forms, for the in-process client and for a live
server, and the pieces of an authorization request (PKCE, URLs, code redemption)."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from werkzeug.datastructures import MultiDict
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge


BANK = "harborline"
ISSUER_PATH = f"/banks/{BANK}"
CALLBACK = "http://127.0.0.1:8765/callback"
DEMO_SECRET = ("demo-app", "demo-secret")


@dataclass
class Form:
    """One ``<form>``: where it posts, its prefilled fields and its submit buttons."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    checkboxes: list[tuple[str, str, bool]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


class FormParser(HTMLParser):
    """Collects the forms of a page with the standard library's HTML parser."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=attributes.get("action") or ""))
            return
        if not self.forms or tag not in ("input", "button"):
            return
        form, name = self.forms[-1], attributes.get("name")
        if name is None:
            return
        form.names.add(name)
        kind = attributes.get("type", "text" if tag == "input" else "submit")
        value = attributes.get("value") or ""
        if tag == "button" or kind == "submit":
            form.buttons.append((name, value))
        elif kind == "checkbox":
            form.checkboxes.append((name, value, "checked" in attributes))
        else:
            form.fields.append((name, value))


@dataclass
class Page:
    """An answer of the server: status, URL, body, forms and redirect target."""

    status: int
    url: str
    text: str
    headers: dict

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    @property
    def form(self) -> Form:
        parser = FormParser()
        parser.feed(self.text)
        assert len(parser.forms) == 1, f"expected one form on {self.url}"
        return parser.forms[0]


class Browser:
    """Drives the authorization pages like a person: follows the server's own redirects,
    posts forms with their hidden fields, stops at the redirect back to the client."""

    def __init__(self, send):
        self.send = send

    def open(self, url: str) -> Page:
        page = self.send("GET", url, None)
        while page.status == 303:
            page = self.send("GET", urljoin(page.url, page.location), None)
        return page

    def submit(self, page: Page, values: dict | None = None, button: tuple | None = None,
               accounts: list[str] | None = None, drop: tuple[str, ...] = ()) -> Page:
        form = page.form
        data = [(name, value) for name, value in form.fields if name not in (values or {})]
        data += list((values or {}).items())
        for name, value, checked in form.checkboxes:
            if (value in accounts) if accounts is not None else checked:
                data.append((name, value))
        if button is not None:
            data.append(button)
        data = [(name, value) for name, value in data if name not in drop]
        answer = self.send("POST", urljoin(page.url, form.action), data)
        while answer.status == 303:
            answer = self.send("GET", urljoin(answer.url, answer.location), None)
        return answer

    def authorize(self, url: str, username: str = "user_good", password: str = "pass_good",
                  decision: str = "approve", accounts: list[str] | None = None) -> Page:
        """Sign in (entering the one-time code if asked), decide, and answer the redirect
        back to the client."""
        page = self.open(url)
        if page.status == 302:
            return page
        page = self.submit(page, {"username": username, "password": password})
        if page.status == 200 and "otp" in page.form.names:
            page = self.submit(page, {"otp": "123456"})
        if page.status != 200:
            return page
        return self.submit(page, button=("decision", decision), accounts=accounts)


def client_browser(client) -> Browser:
    """A browser over Flask's test client (cookies kept by the client)."""

    def send(method, url, data):
        response = client.open(url, method=method,
                               data=MultiDict(data) if data is not None else None)
        return Page(response.status_code, url, response.get_data(as_text=True),
                    dict(response.headers))

    return Browser(send)


def live_browser(session, base_url: str) -> Browser:
    """A browser over a ``requests`` session against a live server."""

    def send(method, url, data):
        response = session.request(method, urljoin(base_url, url), data=data,
                                   allow_redirects=False, timeout=10)
        return Page(response.status_code, response.url, response.text, dict(response.headers))

    return Browser(send)


def query(url: str) -> dict[str, str]:
    """The single-valued query parameters of a URL."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class Pkce:
    """A PKCE verifier and its S256 challenge."""

    verifier: str = field(default_factory=lambda: generate_token(48))

    @property
    def challenge(self) -> str:
        return create_s256_code_challenge(self.verifier)


def authorize_url(client_id: str = "demo-app", redirect_uri: str = CALLBACK,
                  scope: str = "openid profile offline_access accounts balances",
                  pkce: Pkce | None = None, bank: str = BANK, **extra) -> str:
    """An authorization request URL (path and query) at ``bank``."""
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": scope, "state": generate_token(16), **extra}
    if pkce is not None:
        params.update(code_challenge=pkce.challenge, code_challenge_method="S256")
    return f"/banks/{bank}/authorize?{urlencode(params)}"


def redeem(code: str, pkce: Pkce | None, client_id: str = "demo-app",
           redirect_uri: str = CALLBACK) -> dict:
    """The form of an authorization code redemption."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if pkce is not None:
        data["code_verifier"] = pkce.verifier
    if client_id != "demo-app":
        data["client_id"] = client_id
    return data
