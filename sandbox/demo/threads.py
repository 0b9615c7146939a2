"""Conversations and their messages: the chat's state, in rows (any worker serves any poll)."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.demo.models import Conversation, Link, Message

#: What the bot says first in a new conversation.
WELCOME = ("Hi! I'm the Sandbank assistant. Link your bank account and ask me about your "
           "balance, your last receipt, your parcels, your dining spend or your recent "
           "transactions.")


def wall_now() -> datetime:
    """Messages are stamped with the wall clock: they are protocol, not world, time."""
    return datetime.now(timezone.utc)


def start(session: Session) -> Conversation:
    """A new conversation, greeted by the bot; flushed."""
    conversation = Conversation(id=f"conv_{secrets.token_urlsafe(12)}", created_at=wall_now(),
                                app_secret=secrets.token_urlsafe(24),
                                page_token=f"pat_{secrets.token_urlsafe(24)}")
    session.add(conversation)
    session.flush()
    say(session, conversation.id, "bot", "text", {"text": WELCOME})
    return conversation


def find(session: Session, conversation_id: str | None) -> Conversation | None:
    """The conversation of that id, or None."""
    return session.get(Conversation, conversation_id) if conversation_id else None


def by_page_token(session: Session, token: str) -> Conversation | None:
    """The conversation a send-endpoint bearer token belongs to."""
    return session.scalar(sa.select(Conversation).where(Conversation.page_token == token))


def say(session: Session, conversation_id: str, sender: str, kind: str, body: dict) -> Message:
    """Append one message; flushed (its id is the poll cursor)."""
    message = Message(conversation_id=conversation_id, sender=sender, kind=kind, body=body,
                      created_at=wall_now())
    session.add(message)
    session.flush()
    return message


def messages(session: Session, conversation_id: str, after: int = 0) -> list[Message]:
    """The conversation's messages after the cursor ``after``, oldest first."""
    return list(session.scalars(
        sa.select(Message).where(Message.conversation_id == conversation_id, Message.id > after)
        .order_by(Message.id)))


def active_links(session: Session, conversation_id: str) -> list[Link]:
    """The conversation's linked banks that still have access, oldest first."""
    return list(session.scalars(
        sa.select(Link).where(Link.conversation_id == conversation_id, Link.status == "active")
        .order_by(Link.id)))


def removed_links(session: Session, conversation_id: str) -> list[Link]:
    """The conversation's links whose access the bank says was removed (revoked, expired):
    ``removed`` until the bot has said so beside another answer, ``ended`` after."""
    return list(session.scalars(
        sa.select(Link).where(Link.conversation_id == conversation_id,
                              Link.status.in_(("removed", "ended")))
        .order_by(Link.id)))


def links_of_consent(session: Session, bank_id: str, consent_id: str) -> list[Link]:
    """The links (in any conversation) that hold tokens under that consent."""
    return list(session.scalars(
        sa.select(Link).where(Link.bank_id == bank_id, Link.consent_id == consent_id)))
