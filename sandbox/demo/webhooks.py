"""Events in and out of the chat: the banks' signed webhooks become proactive messages, and
with a developer's bot connected, the person's messages (and linking's code) go out to it
and what it sends back comes in through the send endpoint."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox import unit_of_work
from sandbox.demo import bank_client, devbot, threads
from sandbox.demo.models import Conversation, Link, PendingLink, SeenEvent, Subscription
from sandbox.demo.reader import money
from sandbox.errors import BadRequest, Forbidden, Unauthorized, Unprocessable

#: Seconds a bank's signature timestamp may differ from now (replays older are refused).
TOLERANCE = 300
#: Channels of card purchases (a purchase may also be known by its merchant).
PURCHASE_CHANNELS = ("in_store", "online")
#: Parcel statuses worth telling the person about.
PARCEL_NEWS = {"out_for_delivery": "is out for delivery", "delivered": "was delivered",
               "delayed": "is delayed", "exception": "has a delivery problem"}


def verified(secret: str, header: str, body: bytes) -> bool:
    """``Sandbank-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` (docs/webhooks.md)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp, received = fields.get("t", ""), fields.get("v1", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), received)


def receive(session: Session, bank_id: str, header: str, body: bytes) -> None:
    """Verify a bank's event and post what it means in every conversation linked under its
    consent; an event already seen (at-least-once delivery) changes nothing."""
    subscription = session.get(Subscription, bank_id)
    if subscription is None or not verified(subscription.secret, header, body):
        raise Unauthorized("The Sandbank-Signature does not verify.",
                           field="Sandbank-Signature", location="headers")
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadRequest("Send an event with its id and type.", field="id", location="json")
    try:
        with session.begin_nested():
            session.add(SeenEvent(event_id=str(event["id"])))
    except IntegrityError:
        return
    for link in threads.links_of_consent(session, bank_id, event.get("consent_id") or ""):
        words = notice(event, link)
        if words:
            threads.say(session, link.conversation_id, "bot", "notice",
                        {"text": words, "bank": link.bank_name, "event": event["type"]})
        if event["type"] in ("consent.revoked", "consent.expired") and link.status == "active":
            link.status = "removed"


def notice(event: dict, link: Link) -> str | None:
    """The proactive message an event makes, or None when it is not news to the person."""
    data, bank, kind = event.get("data") or {}, link.bank_name, event["type"]
    if kind == "transaction.created":
        row = data.get("transaction") or {}
        purchase = row.get("merchant") or row.get("channel") in PURCHASE_CHANNELS
        if not purchase or not row["amount"].startswith("-"):
            return None
        where = (row.get("merchant") or {}).get("name") or row["description"]
        return (f"{bank}: new purchase at {where}, "
                f"{money(row['amount'].lstrip('-'), row['currency'])}.")
    if kind == "shipment.updated":
        parcel = data.get("shipment") or {}
        news = PARCEL_NEWS.get(parcel.get("status", ""))
        if not news:
            return None
        due = parcel.get("estimated_delivery")
        return (f"Your {parcel['carrier']} parcel {news}"
                + (f" (estimated {due[:10]})." if due and parcel["status"] != "delivered"
                   else "."))
    if kind == "balance.low":
        balances = data.get("balances")
        amount = f": {money(balances['available'], balances['currency'])} available" \
            if balances else ""
        return f"{bank}: low balance{amount}."
    if kind == "consent.revoked" and link.status != "unlinked":
        reason = data.get("reason")
        opening = (f"You removed Sandbank Chat's access at {bank}." if reason == "customer"
                   else f"{bank} removed Sandbank Chat's access." if reason == "operator"
                   else f"Access at {bank} was removed.")
        return f"{opening} I can no longer read your accounts there."
    if kind == "consent.expired":
        return f"Your consent at {bank} expired. Link your bank account again to continue."
    return None


def forward(app: Flask, conversation_id: str, entry: dict) -> None:
    """After the response: POST ``entry`` to the conversation's bot; say so in the chat
    when the bot did not take it."""
    with app.app_context(), unit_of_work.transaction() as session:
        chat = threads.find(session, conversation_id)
        if chat is None or not chat.bot_url:
            return
        problem = devbot.deliver(chat, entry)
        if problem:
            threads.say(session, chat.id, "bot", "text",
                        {"text": f"Your message did not reach your bot: {problem}."})


def hand_over(pending: PendingLink, code: str) -> dict:
    """The ``account_linking`` entry that gives a developer's bot the code to redeem."""
    return {"account_linking": {
        "status": "linked", "authorization_code": code, "code_verifier": pending.code_verifier,
        "redirect_uri": pending.redirect_uri, "bank_id": pending.bank_id,
        "issuer": pending.issuer, "consent_id": pending.consent_id,
        "client_id": bank_client.CLIENT_ID, "nonce": pending.nonce}}


def outgoing(body: object, chat: Conversation) -> tuple[str, dict]:
    """A send-endpoint body as a message; 403 for another conversation, 422 naming the
    wrong field."""
    if not isinstance(body, dict):
        raise Unprocessable("Send a JSON object.", field="message", location="json")
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str):
        raise Unprocessable("Give recipient.id, the conversation id.", field="recipient.id",
                            location="json")
    if not secrets.compare_digest(recipient["id"], chat.id):
        raise Forbidden("This page token may only send to its own conversation.",
                        field="recipient.id", location="json")
    message = body.get("message")
    words = message.get("text") if isinstance(message, dict) else None
    if not isinstance(words, str) or not 1 <= len(words.strip()) <= 2000:
        raise Unprocessable("Give message.text, 1 to 2,000 characters.", field="message.text",
                            location="json")
    return "text", {"text": words.strip()}

