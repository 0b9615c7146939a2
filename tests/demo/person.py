"""A person using Sandbank Chat over HTTP (a ``requests`` session against a live server),
linking through the banks' real pages with the OAuth tests' form-filling browser."""
from __future__ import annotations

import html
import re

import requests

from tests.oauth.browser import live_browser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MESSAGE = re.compile(r'<div class="msg [^"]*" data-from="(\w+)" data-kind="(\w+)" id="m\d+">')
TAGS = re.compile(r"<[^>]+>")


class ChatPerson:
    """One browser's conversation."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.page = self.http.get(f"{base}/demo/chat", timeout=30).text
        self.csrf = CSRF.search(self.page).group(1)

    def field(self, name: str) -> str:
        """A value of the developer panel (``data-field="name"``)."""
        return re.search(rf'data-field="{name}">([^<]+)<', self.page).group(1)

    def post(self, path: str, data: list | dict, **kwargs) -> requests.Response:
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        return self.http.post(f"{self.base}{path}", data=[("csrf_token", self.csrf)] + pairs,
                              timeout=30, **kwargs)

    def say(self, words: str) -> requests.Response:
        return self.post("/demo/chat/messages", {"message": words},
                         headers={"Accept": "application/json"})

    def start_link(self, bank: str, scopes=("balances", "transactions", "receipts",
                                             "shipments")) -> str:
        """Pick the bank; answers the bank's ``/authorize`` URL the chat sends us to."""
        answer = self.post("/demo/chat/link", [("bank", bank)] + [("scope", s) for s in scopes],
                           allow_redirects=False)
        assert answer.status_code == 303, answer.text
        return answer.headers["Location"]

    def link(self, bank: str, scopes=("balances", "transactions", "receipts", "shipments"),
             username: str = "user_good", decision: str = "approve") -> requests.Response:
        """Link at ``bank`` through its sign-in and consent pages; answers the chat page the
        callback leads back to."""
        back = live_browser(self.http, self.base).authorize(
            self.start_link(bank, scopes), username=username, decision=decision)
        assert back.status == 302 and "/demo/chat/callback" in back.location, back.text
        return self.http.get(back.location, timeout=30)

    def messages(self, after: int = 0) -> list[tuple[str, str, str]]:
        """``(from, kind, text)`` of every message after ``after``."""
        answer = self.http.get(f"{self.base}/demo/chat/api/updates", params={"after": after},
                               timeout=30)
        answer.raise_for_status()
        chunks = MESSAGE.split(answer.json()["html"])[1:]
        return [(chunks[i], chunks[i + 1],
                 " ".join(html.unescape(TAGS.sub(" ", chunks[i + 2])).split()))
                for i in range(0, len(chunks), 3)]

    def last(self) -> str:
        return self.messages()[-1][2]

    def ask(self, words: str) -> list[str]:
        """Send ``words``; answers the texts of the bot's replies (not the notices a webhook
        may post meanwhile: a purchase made while the clock moved)."""
        before = len(self.messages())
        assert self.say(words).status_code == 204
        return [text for sender, kind, text in self.messages()[before:]
                if sender == "bot" and kind != "notice"]
