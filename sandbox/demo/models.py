"""Sandbank Chat's own tables: conversations, messages, linked banks, pending links, the
chat's webhook subscriptions and the events it has seen. The chat is a client of the banks:
none of these refers to a bank's table (a reset empties them with the consents they name)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class Conversation(db.Model):
    """One person's thread with the bank's bot (a browser cookie names it). With ``bot_url``
    set, a developer's bot answers in the built-in bot's place."""

    __tablename__ = "chat_conversations"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The secret a developer's bot verifies ``X-Hub-Signature-256`` with.
    app_secret: Mapped[str] = mapped_column(sa.String(80))
    #: The bearer token of the send endpoint, for this conversation only.
    page_token: Mapped[str] = mapped_column(sa.String(80), unique=True)
    bot_url: Mapped[str | None] = mapped_column(sa.String(2000))


class Message(db.Model):
    """One bubble: ``sender`` is ``person`` or ``bot``; ``kind`` says how ``body`` draws."""

    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_thread", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("chat_conversations.id",
                                                               ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(20))
    body: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Link(db.Model):
    """A bank account link: the tokens the chat holds under one consent."""

    __tablename__ = "chat_links"
    __table_args__ = (sa.Index("ix_chat_links_consent", "bank_id", "consent_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("chat_conversations.id",
                                                               ondelete="CASCADE"), index=True)
    bank_id: Mapped[str] = mapped_column(sa.String(64))
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(2000))
    consent_id: Mapped[str | None] = mapped_column(sa.String(64))
    scope: Mapped[str] = mapped_column(sa.String(500))
    access_token: Mapped[str] = mapped_column(sa.String(200))
    refresh_token: Mapped[str | None] = mapped_column(sa.String(200))
    #: ``active``; ``removed`` when the bank says access was removed (``ended`` once the bot
    #: has told the person); ``unlinked`` when the person unlinked.
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingLink(db.Model):
    """A trip to a bank's ``/authorize`` in progress: ``state`` names it; single use."""

    __tablename__ = "chat_pending_links"

    state: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("chat_conversations.id",
                                                               ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(sa.String(64))
    bank_name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(2000))
    consent_id: Mapped[str] = mapped_column(sa.String(64))
    code_verifier: Mapped[str] = mapped_column(sa.String(128))
    nonce: Mapped[str] = mapped_column(sa.String(64))
    redirect_uri: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subscription(db.Model):
    """The chat's webhook subscription at one bank, and the secret that signs its events."""

    __tablename__ = "chat_subscriptions"

    bank_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(sa.String(64))
    secret: Mapped[str] = mapped_column(sa.String(200))


class SeenEvent(db.Model):
    """A webhook event already turned into messages (delivery is at least once)."""

    __tablename__ = "chat_seen_events"

    event_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
