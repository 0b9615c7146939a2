"""A developer's own bot in the built-in bot's place, the way big messaging platforms call
bots: a verification handshake, then every event POSTed as JSON signed with the
conversation's app secret (``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``).
The bot answers through the send endpoint (``POST /demo/chat/api/messages``).

Outbound calls go only to the URL the person typed into their own chat: this is a sandbox on
the developer's machine, so loopback and private hosts are allowed (a bot usually runs
there); only ``http`` and ``https`` are, and redirects are not followed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from sandbox.demo.bank_client import TIMEOUT, USER_AGENT
from sandbox.demo.models import Conversation
from sandbox.errors import Unprocessable


#: The longest bot URL kept (the column's size).
MAX_URL = 2000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def checked_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL of at most :data:`MAX_URL` characters; else
    422 naming ``bot_url``."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        host = None
    if len(url) > MAX_URL or host is None or parts.scheme not in ("http", "https"):
        raise Unprocessable("Give an http:// or https:// URL of your bot.", field="bot_url")
    return parts.geturl()


def handshake(url: str, verify_token: str) -> None:
    """``GET url?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...``: the bot must
    answer 200 with the challenge as its body; else 422 naming ``bot_url``."""
    challenge = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": verify_token,
                                    "hub.challenge": challenge})
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    request = urllib.request.Request(f"{url}{separator}{query}",
                                     headers={"User-Agent": USER_AGENT})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            echoed = response.read(1024).decode(errors="replace").strip()
    except (urllib.error.URLError, OSError) as error:
        raise Unprocessable(f"Your bot did not answer the verification request: {error}.",
                            field="bot_url") from None
    if echoed != challenge:
        raise Unprocessable("Your bot answered the verification request without echoing "
                            "hub.challenge (check hub.verify_token).", field="bot_url")


def signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event(conversation: Conversation, entry: dict) -> dict:
    """The envelope of one messaging event (``entry``: ``message``, ``account_linking``)."""
    now_ms = int(time.time() * 1000)
    return {"object": "sandbank_chat", "entry": [{"id": "sandbank-chat", "time": now_ms,
            "messaging": [{"sender": {"id": conversation.id},
                           "recipient": {"id": "sandbank-chat"},
                           "timestamp": now_ms, **entry}]}]}


def deliver(conversation: Conversation, entry: dict) -> str | None:
    """POST the event to the conversation's bot; None when it took it (2xx), else what went
    wrong, for the chat to show."""
    body = json.dumps(event(conversation, entry)).encode()
    request = urllib.request.Request(conversation.bot_url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Hub-Signature-256": signature(conversation.app_secret, body)})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
            return None
    except urllib.error.HTTPError as error:
        return f"your bot answered HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"your bot did not answer ({error})"
