"""A developer's bot in Sandbank Chat, against a live server: the verification handshake,
signed deliveries, the send endpoint's bearer token, the code handed over at linking, and
the example bot of docs/examples/chat_bot.py run as a process."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.testing.server import free_port
from tests.demo.conftest import wait_for
from tests.demo.person import ChatPerson
from tests.oauth.browser import live_browser

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "chat_bot.py"


class RecordingBot:
    """A bot on 127.0.0.1 that answers the handshake as told and records every POST."""

    def __init__(self, echo: bool = True):
        self.posts: list[dict] = []
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                body = query["hub.challenge"][0] if echo else "nope"
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body.encode())

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                bot.posts.append({"headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot():
    recording = RecordingBot()
    yield recording
    recording.close()


def connect(person: ChatPerson, url: str, verify_token: str = "hello") -> requests.Response:
    return person.post("/demo/chat/bot", {"bot_url": url, "verify_token": verify_token},
                       headers={"Accept": "application/json"})


def test_a_bot_that_does_not_echo_the_challenge_is_refused(live_server):
    person, silent = ChatPerson(live_server), RecordingBot(echo=False)
    try:
        refused = connect(person, silent.url)
    finally:
        silent.close()
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "bot_url"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "not a url"])
def test_only_http_and_https_bot_urls_are_called(live_server, url):
    refused = connect(ChatPerson(live_server), url)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["path"] == "bot_url"


def test_messages_reach_the_bot_signed_with_the_app_secret(live_server, bot):
    person = ChatPerson(live_server)
    assert connect(person, bot.url).status_code == 204
    assert person.say("hello bot").status_code == 204
    assert wait_for(lambda: bot.posts)
    post = bot.posts[0]
    secret = person.field("app-secret")
    expected = "sha256=" + hmac.new(secret.encode(), post["body"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Hub-Signature-256"] == expected
    event = json.loads(post["body"])["entry"][0]["messaging"][0]
    assert event["sender"]["id"] == person.field("conversation-id")
    assert event["message"]["text"] == "hello bot"
    assert [text for sender, _, text in person.messages() if sender == "bot"][-1].startswith(
        "Your bot at")  # the built-in bot stays quiet


def test_linking_hands_the_bot_the_code_and_its_pkce_verifier(live_server, bot):
    person = ChatPerson(live_server)
    connect(person, bot.url)
    back = live_browser(person.http, live_server).authorize(person.start_link("harborline"))
    person.http.get(back.location, timeout=30)
    assert wait_for(lambda: bot.posts)
    linking = json.loads(bot.posts[0]["body"])["entry"][0]["messaging"][0]["account_linking"]
    tokens = requests.post(f"{linking['issuer']}/token", auth=("sandbank-chat", "chat-secret"),
                           data={"grant_type": "authorization_code",
                                 "code": linking["authorization_code"],
                                 "code_verifier": linking["code_verifier"],
                                 "redirect_uri": linking["redirect_uri"]}, timeout=10)
    assert tokens.status_code == 200, tokens.text


def test_the_send_endpoint_needs_the_conversations_own_page_token(live_server):
    person, other = ChatPerson(live_server), ChatPerson(live_server)
    url = f"{live_server}/demo/chat/api/messages"
    body = {"recipient": {"id": person.field("conversation-id")}, "message": {"text": "hi"}}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer pat_wrong"}
    assert requests.post(url, json=body, headers=wrong, timeout=10).status_code == 401
    theirs = {"Authorization": f"Bearer {other.field('page-token')}"}
    assert requests.post(url, json=body, headers=theirs, timeout=10).status_code == 403
    mine = {"Authorization": f"Bearer {person.field('page-token')}"}
    empty = requests.post(url, json={**body, "message": {"text": ""}}, headers=mine, timeout=10)
    assert empty.status_code == 422 and empty.json()["errors"][0]["path"] == "message.text"
    sent = requests.post(url, json=body, headers=mine, timeout=10)
    assert sent.status_code == 200 and sent.json()["recipient_id"] == body["recipient"]["id"]
    assert person.messages()[-1] == ("bot", "text", person.messages()[-1][2])
    assert person.messages()[-1][2].startswith("hi ")
    assert all(text.split()[0] != "hi" for _, _, text in other.messages())


def test_the_example_bot_echoes_and_links(live_server):
    person = ChatPerson(live_server)
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "CHAT_BASE_URL": live_server,
           "CHAT_APP_SECRET": person.field("app-secret"),
           "CHAT_PAGE_TOKEN": person.field("page-token"), "CHAT_VERIFY_TOKEN": "s3cret"}
    process = subprocess.Popen([sys.executable, str(EXAMPLE), str(port)], env=env,
                               stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/webhook"
        assert wait_for(lambda: _answers(url), 15)
        assert connect(person, url, "wrong").status_code == 422
        assert connect(person, url, "s3cret").status_code == 204
        person.say("hello")
        assert wait_for(lambda: any("Echo bot heard: hello" in text
                                    for _, _, text in person.messages()))
        unsigned = requests.post(url, data=b"{}", timeout=10)
        assert unsigned.status_code == 401
        back = live_browser(person.http, live_server).authorize(
            person.start_link("harborline"))
        person.http.get(back.location, timeout=30)
        assert wait_for(lambda: any(text.startswith("Bot linked: ")
                                    for _, _, text in person.messages()))
    finally:
        process.terminate()
        process.wait(10)


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return True
    except requests.ConnectionError:
        return False
