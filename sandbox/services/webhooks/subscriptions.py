"""Subscriptions: where one client of one bank wants which events POSTed."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound, Unprocessable
from sandbox.models import WebhookDelivery, WebhookSubscription
from sandbox.network import is_loopback_host, private_host_reason
from sandbox.services.webhooks.events import EVENT_TYPES, new_id

MAX_SUBSCRIPTIONS = 20


class SubscriptionError(Unprocessable):
    """A subscription request that cannot be accepted (422); ``field`` names the culprit in
    the JSON body."""

    def __init__(self, field: str, detail: str):
        super().__init__(detail, field=field, location="json")


def check_url(url: str) -> str:
    """``url`` when it may receive webhooks: https to a public host, or http or https on a
    loopback host (``localhost``, 127.0.0.0/8, ``::1``: the development rule). Literal
    addresses in any form, metadata-service names and private suffixes are judged here;
    names are resolved and judged again at each delivery."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        raise SubscriptionError("url", "The URL is not valid.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionError("url", "The URL must be absolute, with an https scheme.")
    if parts.username or parts.password:
        raise SubscriptionError("url", "The URL must not carry credentials.")
    if is_loopback_host(parts.hostname):
        return url
    if parts.scheme == "http":
        raise SubscriptionError(
            "url", "Plain http is accepted only on loopback (localhost, 127.0.0.1, ::1): "
                   "use https.")
    reason = private_host_reason(parts.hostname)
    if reason is not None:
        raise SubscriptionError("url", f"Webhooks are delivered only to public hosts (or, "
                                       f"for development, to loopback): {reason}")
    return url


def subscribe(session: Session, bank_id: str, client_id: str, url: str, events: Iterable[str],
              *, now: datetime) -> WebhookSubscription:
    """Add a subscription for ``client_id`` at ``bank_id``. Raises ``SubscriptionError``."""
    check_url(url)
    wanted = list(dict.fromkeys(events))
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown:
        raise SubscriptionError("events", f"Unknown event type(s): {', '.join(unknown)}. "
                                          f"Known: {', '.join(EVENT_TYPES)}.")
    if not wanted:
        raise SubscriptionError("events", "Name at least one event type.")
    if len(subscriptions(session, bank_id, client_id)) >= MAX_SUBSCRIPTIONS:
        raise SubscriptionError("url", f"A client may hold at most {MAX_SUBSCRIPTIONS} "
                                       "subscriptions: delete one first.")
    subscription = WebhookSubscription(
        id=new_id("whk"), bank_id=bank_id, client_id=client_id, url=url, events=wanted,
        secret=f"whsec_{secrets.token_urlsafe(32)}", created_at=now)
    session.add(subscription)
    return subscription


def subscriptions(session: Session, bank_id: str, client_id: str) -> list[WebhookSubscription]:
    """The client's live subscriptions at the bank, oldest first."""
    return list(session.scalars(
        sa.select(WebhookSubscription)
        .where(WebhookSubscription.bank_id == bank_id, WebhookSubscription.client_id == client_id,
               WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)))


def unsubscribe(session: Session, bank_id: str, client_id: str, subscription_id: str, *,
                now: datetime) -> None:
    """Delete a subscription and cancel its undelivered events. Raises ``NotFound`` when the
    client has no such subscription."""
    subscription = session.get(WebhookSubscription, subscription_id)
    if (subscription is None or subscription.deleted_at is not None
            or subscription.bank_id != bank_id or subscription.client_id != client_id):
        raise NotFound(f"The client has no subscription {subscription_id!r}.")
    subscription.deleted_at = now
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id,
               WebhookDelivery.status == "pending")
        .values(status="cancelled", claimed_by=None, claimed_until=None))
