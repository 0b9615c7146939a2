"""Sandbank Chat's pages and endpoints (``/demo/chat``). Thin: parse, call the chat's
modules, render. Every call to a bank happens before the request writes anything, so a
server calling itself never waits on its own database lock."""
from __future__ import annotations

import hmac
import secrets

from flask import (Blueprint, Response, current_app, jsonify, redirect, render_template,
                   request, url_for)

from sandbox import clock
from sandbox.demo import bank_client, bot, cookie, devbot, linking, threads, webhooks
from sandbox.demo.bank_client import BankError
from sandbox.demo.models import Conversation
from sandbox.demo.reader import account_label, money
from sandbox.errors import BadRequest, Forbidden, NotFound, Unauthorized
from sandbox.extensions import db
from sandbox.web.urls import public_base_url

bp = Blueprint("chat", __name__, url_prefix="/demo/chat")
bp.after_request(cookie.keep)
csrf_token = cookie.csrf_token


@bp.app_template_filter("chat_money")
def chat_money(amount: str, currency: str = "USD") -> str:
    """``-$42.17``."""
    return money(amount, currency)


def check_csrf() -> None:
    """Every form POST carries the session's token (field ``csrf_token``)."""
    sent = request.form.get("csrf_token", "")
    expected = cookie.state().get("csrf")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("Missing or wrong CSRF token: reload the chat and try again.",
                        field="csrf_token", location="form")


def conversation() -> Conversation | None:
    return threads.find(db.session, cookie.state().get("conversation"))


def current() -> Conversation:
    """This browser's conversation, started on first visit."""
    found = conversation()
    if found is None:
        found = threads.start(db.session)
        cookie.put("conversation", found.id)
    return found


def base_url() -> str:
    """Where the chat reaches the banks and is reached: this server's public URL."""
    return public_base_url()


def bank_list() -> list[dict]:
    """The banks to offer (``GET /banks``); none while the server does not answer itself."""
    try:
        return bank_client.banks(base_url())
    except BankError:
        return []


def callback_url() -> str:
    base = base_url()
    return f"{base}{url_for('chat.callback')}"


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def back() -> Response:
    if wants_json():
        return Response(status=204)
    return redirect(url_for("chat.page", _anchor="latest"), 303)


@bp.get("")
def page():
    with db.session.no_autoflush:
        banks = bank_list()
    chat = current()
    messages = threads.messages(db.session, chat.id)
    return render_template("demo/chat.html", chat=chat, messages=messages, banks=banks,
                           links=threads.active_links(db.session, chat.id),
                           cursor=messages[-1].id if messages else 0,
                           quick_replies=bot.QUICK_REPLIES, csrf_token=csrf_token(),
                           send_url=f"{base_url()}{url_for('chat.send')}")


@bp.get("/api/updates")
def updates():
    """The messages after ``after`` (the page polls this), drawn as HTML, and the cursor."""
    chat = conversation()
    if chat is None:
        raise NotFound("No conversation in this browser: open /demo/chat.")
    try:
        after = int(request.args.get("after", "0"))
    except ValueError:
        raise BadRequest("`after` must be a message id.", field="after",
                         location="query") from None
    messages = threads.messages(db.session, chat.id, after)
    banks = bank_list() if any(m.kind == "banks" for m in messages) else []
    html = render_template("demo/_messages.html", messages=messages, banks=banks,
                           csrf_token=csrf_token())
    return jsonify(cursor=messages[-1].id if messages else after, html=html)


@bp.post("/messages")
def send_message():
    """The person sends a message (the composer, a quick reply, or the link button)."""
    check_csrf()
    chat = current()
    words = (request.form.get("message") or request.form.get("reply") or "").strip()
    if request.form.get("action") == "link":
        words = "Link your bank account"
    if not words:
        raise BadRequest("Type a message.", field="message", location="form")
    if len(words) > 1000:
        raise BadRequest("A message has at most 1,000 characters.", field="message",
                         location="form")
    if chat.bot_url:
        threads.say(db.session, chat.id, "person", "text", {"text": words})
        return forward_after(back(), chat, {"message": {
            "mid": f"m_{secrets.token_urlsafe(9)}", "text": words}})
    with db.session.no_autoflush:
        replies = bot.answer(db.session, chat, words, now=clock.now())
    threads.say(db.session, chat.id, "person", "text", {"text": words})
    for kind, body in replies:
        threads.say(db.session, chat.id, "bot", kind, body)
    return back()


@bp.post("/link")
def link():
    """Go to the chosen bank's own consent pages."""
    check_csrf()
    chat = current()
    bank_id = request.form.get("bank", "")
    with db.session.no_autoflush:
        banks = {bank["id"]: bank for bank in bank_list()}
        if bank_id not in banks:
            raise BadRequest("Choose one of the banks listed.", field="bank", location="form")
        scope = linking.scope_for(request.form.getlist("scope"))
        try:
            url = linking.begin(db.session, chat, banks[bank_id], scope, callback_url())
        except BankError as error:
            threads.say(db.session, chat.id, "bot", "text",
                        {"text": f"{banks[bank_id]['name']} is unavailable right now "
                                 f"(HTTP {error.status or 'no answer'}). Try again soon."})
            return back()
    return redirect(url, 303)


@bp.get("/callback")
def callback():
    """The bank sends the browser back here with ``code`` and ``state`` (or ``error``)."""
    chat = conversation()
    with db.session.no_autoflush:
        pending = linking.take_pending(db.session, chat, request.args.get("state"))
        error = request.args.get("error")
        if error:
            words = ("You cancelled linking at the bank: nothing was shared."
                     if error == "access_denied" else f"{pending.bank_name} said: {error}.")
            threads.say(db.session, chat.id, "bot", "text", {"text": words})
            return back()
        code = request.args.get("code")
        if not code:
            raise BadRequest("The bank sent no code.", field="code", location="query")
        if chat.bot_url:
            threads.say(db.session, chat.id, "bot", "text", {
                "text": f"{pending.bank_name} said yes: your bot has the code to finish "
                        "linking."})
            return forward_after(back(), chat, webhooks.hand_over(pending, code))
        try:
            link, accounts = linking.redeem(db.session, pending, code)
        except BankError as error:
            threads.say(db.session, chat.id, "bot", "text",
                        {"text": f"Linking failed: {error.detail or error.kind}."})
            return back()
        try:
            linking.subscribe(db.session, pending.bank_id, pending.issuer,
                              f"{base_url()}{url_for('chat.receive', bank_id=pending.bank_id)}")
            missed = None
        except BankError as error:
            missed = f"I could not subscribe to {pending.bank_name}'s notifications ({error})."
    names = ", ".join(account_label(account) for account in accounts) or "no account"
    threads.say(db.session, chat.id, "bot", "linked", {
        "text": f"Linked: {names} at {pending.bank_name}", "bank": link.bank_name})
    if missed:
        threads.say(db.session, chat.id, "bot", "text", {"text": missed})
    return back()


@bp.post("/bot")
def connect_bot():
    """Put a developer's bot in the built-in bot's place (after its handshake), or take it
    away (``action=disconnect``)."""
    check_csrf()
    if request.form.get("action") == "disconnect":
        chat = current()
        chat.bot_url = None
        threads.say(db.session, chat.id, "bot", "text", {"text": "The built-in bot is back."})
        return back()
    url = devbot.checked_url(request.form.get("bot_url", ""))
    devbot.handshake(url, request.form.get("verify_token", ""))  # before this request writes
    chat = current()
    chat.bot_url = url
    threads.say(db.session, chat.id, "bot", "text", {"text": f"Your bot at {url} answers now."})
    return back()


@bp.post("/api/messages")
def send():
    """The send endpoint of a developer's bot: ``Authorization: Bearer <page token>``, JSON
    ``{"recipient": {"id": ...}, "message": {"text": ...}}``."""
    header = request.headers.get("Authorization", "")
    token = header[7:] if header[:7].lower() == "bearer " else ""
    chat = threads.by_page_token(db.session, token) if token else None
    if chat is None:
        raise Unauthorized("Send the conversation's page access token as a bearer token.",
                           field="Authorization", location="headers")
    body = request.get_json(silent=True)
    kind, content = webhooks.outgoing(body, chat)
    message = threads.say(db.session, chat.id, "bot", kind, content)
    return jsonify(recipient_id=chat.id, message_id=f"mid_{message.id}")


@bp.post("/webhooks/<bank_id>")
def receive(bank_id: str):
    """The banks' signed events: verified, then turned into messages."""
    webhooks.receive(db.session, bank_id, request.headers.get("Sandbank-Signature", ""),
                     request.get_data())
    return Response(status=204)


def forward_after(response: Response, chat: Conversation, entry: dict) -> Response:
    """Send ``entry`` to the conversation's bot once this response has been sent (and its
    unit of work committed): the bot may call the send endpoint while it handles it."""
    app, chat_id = current_app._get_current_object(), chat.id
    response.call_on_close(lambda: webhooks.forward(app, chat_id, entry))
    return response
