"""Webhook subscriptions and events: who hears about what, and the signed outbox rows.

``emit`` writes one outbox row per subscription of every client that holds a consent
entitling it to the event, inside the caller's transaction (it never commits), so an event
exists exactly when the change that caused it was committed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import g, has_app_context

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import (
    Account,
    Consent,
    Customer,
    IdempotencyRecord,
    Merchant,
    Receipt,
    Shipment,
    Transaction,
    WebhookDelivery,
    WebhookNotice,
    WebhookSubscription,
)
from sandbox.network import is_loopback_host, private_host_reason
from sandbox.services.representation import (
    balances_dict,
    instant,
    money,
    shipment_dict,
    transaction_dict,
)
from sandbox.services.shipments import visible_events

EVENT_TYPES = (
    "transaction.created", "transaction.posted", "balance.low", "shipment.updated",
    "consent.revoked", "consent.expired", "card.locked", "card.unlocked",
)

#: Scopes of which a consent needs one to hear about an event (any of them). Consent events
#: have none: they go to the client of the consent they are about, whatever its scopes.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "transaction.created": frozenset({"transactions"}),
    "transaction.posted": frozenset({"transactions"}),
    "balance.low": frozenset({"balances"}),
    "shipment.updated": frozenset({"shipments"}),
    "card.locked": frozenset({"accounts", "manage"}),
    "card.unlocked": frozenset({"accounts", "manage"}),
}

MAX_SUBSCRIPTIONS = 20
#: How long after it ships a parcel is watched for tracking events.
SHIPMENT_WATCH = timedelta(days=60)
SIGNATURE_HEADER = "Sandbank-Signature"
EVENT_ID_HEADER = "Sandbank-Event-Id"


class SubscriptionError(ValueError):
    """A subscription request that cannot be accepted; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def new_id(prefix: str) -> str:
    """An opaque, unguessable id with a readable prefix."""
    return f"{prefix}_{secrets.token_hex(12)}"


def ordered_id(prefix: str) -> str:
    """An unguessable id that sorts by creation time (so deliveries go out in the order their
    events were raised)."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(6)}"


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


def subscribe(bank_id: str, client_id: str, url: str,
              events: Iterable[str]) -> WebhookSubscription:
    """Add a subscription for ``client_id`` at ``bank_id`` (not committed)."""
    check_url(url)
    wanted = list(dict.fromkeys(events))
    unknown = [name for name in wanted if name not in EVENT_TYPES]
    if unknown:
        raise SubscriptionError("events", f"Unknown event type(s): {', '.join(unknown)}. "
                                          f"Known: {', '.join(EVENT_TYPES)}.")
    if not wanted:
        raise SubscriptionError("events", "Name at least one event type.")
    if len(subscriptions(bank_id, client_id)) >= MAX_SUBSCRIPTIONS:
        raise SubscriptionError("url", f"A client may hold at most {MAX_SUBSCRIPTIONS} "
                                       "subscriptions: delete one first.")
    subscription = WebhookSubscription(
        id=new_id("whk"), bank_id=bank_id, client_id=client_id, url=url, events=wanted,
        secret=f"whsec_{secrets.token_urlsafe(32)}", created_at=clock.now())
    db.session.add(subscription)
    _forget_cache()
    return subscription


def subscriptions(bank_id: str, client_id: str) -> list[WebhookSubscription]:
    """The client's live subscriptions at the bank, oldest first."""
    return list(db.session.scalars(
        sa.select(WebhookSubscription)
        .where(WebhookSubscription.bank_id == bank_id, WebhookSubscription.client_id == client_id,
               WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)))


def unsubscribe(bank_id: str, client_id: str, subscription_id: str) -> bool:
    """Delete a subscription and cancel its undelivered events (not committed); False when
    the client has no such subscription."""
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if (subscription is None or subscription.deleted_at is not None
            or subscription.bank_id != bank_id or subscription.client_id != client_id):
        return False
    subscription.deleted_at = clock.now()
    db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id,
               WebhookDelivery.status == "pending")
        .values(status="cancelled", claimed_by=None, claimed_until=None))
    _forget_cache()
    return True


@dataclass(frozen=True)
class Listener:
    """A live subscription, as events are matched against it."""

    id: str
    bank_id: str
    client_id: str
    events: tuple[str, ...]
    created_at: datetime


def _listeners() -> list[Listener]:
    """Every live subscription, read once per app context (``emit`` may run once per
    generated transaction)."""
    if has_app_context() and "webhook_listeners" in g:
        return g.webhook_listeners
    rows = db.session.execute(
        sa.select(WebhookSubscription.id, WebhookSubscription.bank_id,
                  WebhookSubscription.client_id, WebhookSubscription.events,
                  WebhookSubscription.created_at)
        .where(WebhookSubscription.deleted_at.is_(None)).order_by(WebhookSubscription.id))
    listeners = [Listener(row.id, row.bank_id, row.client_id, tuple(row.events),
                          row.created_at) for row in rows]
    if has_app_context():
        g.webhook_listeners = listeners
    return listeners


def _forget_cache() -> None:
    if has_app_context():
        g.pop("webhook_listeners", None)


def _entitled(event_type: str, consent: Consent, account_id: str | None, now: datetime,
              on_day: date | None = None) -> bool:
    needed = EVENT_SCOPES.get(event_type)
    if needed is None:
        return True
    if not consent.is_active(now) or not needed & consent.scopes:
        return False
    if on_day is not None and not (
            (consent.transaction_from is None or consent.transaction_from <= on_day)
            and (consent.transaction_to is None or on_day <= consent.transaction_to)):
        return False
    return account_id is None or account_id in (consent.account_ids or ())


def body_of(event_id: str, event_type: str, created_at: datetime, bank_id: str,
            consent_id: str, data: dict) -> str:
    """The exact JSON text POSTed (and signed) for an event."""
    return json.dumps({
        "id": event_id, "type": event_type, "created_at": instant(created_at),
        "bank_id": bank_id,
        "consent_id": consent_id, "data": data,
    }, sort_keys=True, separators=(",", ":"))


def emit(event_type: str, *, bank_id: str, customer_id: str | None = None,
         account_id: str | None = None, consent_id: str | None = None, data: dict,
         details: dict[str, dict] | None = None, on_day: date | None = None) -> list[str]:
    """Queue ``event_type`` for every subscribed client entitled to it; returns the event ids.

    Entitled: a client with an active consent of ``customer_id`` at ``bank_id`` granting one
    of the event's scopes (``EVENT_SCOPES``), when ``account_id`` is given that account, and
    when ``on_day`` is given (a transaction's day) a transaction window that includes it.
    Consent events (``consent_id`` given) go to that consent's client only. The payload holds
    ``data`` (ids) plus, for each scope the consent grants, ``details[scope]``. Writes in the
    caller's transaction and does not commit.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    listening = [s for s in _listeners() if s.bank_id == bank_id and event_type in s.events]
    if not listening:
        return []
    query = sa.select(Consent).where(Consent.bank_id == bank_id,
                                     Consent.client_id.in_({s.client_id for s in listening}))
    if consent_id is not None:
        query = query.where(Consent.id == consent_id)
    else:
        query = query.where(Consent.customer_id == customer_id, Consent.status == "authorized")
    now = clock.now()
    event_ids = []
    for consent in db.session.scalars(query.order_by(Consent.id)):
        if not _entitled(event_type, consent, account_id, now, on_day):
            continue
        payload = dict(data)
        for scope, extra in (details or {}).items():
            if scope in consent.scopes:
                payload.update(extra)
        event_id = ordered_id("evt")
        body = body_of(event_id, event_type, now, bank_id, consent.id, payload)
        for subscription in listening:
            if subscription.client_id != consent.client_id:
                continue
            db.session.add(WebhookDelivery(
                id=ordered_id("dlv"), event_id=event_id, event_type=event_type,
                subscription_id=subscription.id, bank_id=bank_id, client_id=consent.client_id,
                consent_id=consent.id, body=body, status="pending", attempts=0,
                created_at=now, next_attempt_at=now))
        event_ids.append(event_id)
    return event_ids


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Sandbank-Signature`` value: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def notify_transaction(event_type: str, transaction: Transaction, account: Account, *,
                       consent_id: str | None = None) -> list[str]:
    """Raise ``transaction.created`` or ``transaction.posted`` for a transaction."""
    return emit(event_type, bank_id=account.bank_id, customer_id=account.customer_id,
                account_id=account.id, consent_id=consent_id,
                on_day=transaction.authorized_at.date(),
                data={"account_id": account.id, "transaction_id": transaction.id},
                details={"transactions": {"transaction": transaction_dict(
                    transaction, db.session.get(Merchant, transaction.merchant_id)
                    if transaction.merchant_id else None)}})


def watched_balance(account: Account) -> Decimal | None:
    """The figure a low-balance alert watches: the ``available`` balance (cards: available
    credit); None for loans and mortgages."""
    available = balances_dict(account, clock.now())["available"]
    return None if available is None else Decimal(available)


def refresh_low_balance(account: Account) -> list[str]:
    """Raise ``balance.low`` when the account is below its threshold and was not already
    (call after its balance or threshold changed, in the same transaction). The alert re-arms
    once the balance is back at or above the threshold."""
    threshold = account.low_balance_threshold
    balance = watched_balance(account)
    low = threshold is not None and balance is not None and balance < threshold
    notice = db.session.get(WebhookNotice, ("balance.low", account.id))
    if not low:
        if notice is not None:
            db.session.delete(notice)
        return []
    if notice is not None:
        return []
    db.session.add(WebhookNotice(topic="balance.low", subject_id=account.id,
                                 last_at=clock.now()))
    return notify_low_balance(account)


def refresh_low_balances(account_ids: Iterable[str]) -> list[str]:
    """``refresh_low_balance`` for every account of ``account_ids`` that has a threshold
    (for code that changes balances in bulk, such as the world catching up)."""
    ids = sorted(set(account_ids))
    event_ids: list[str] = []
    for start in range(0, len(ids), 500):
        for account in db.session.scalars(sa.select(Account).where(
                Account.id.in_(ids[start:start + 500]),
                Account.low_balance_threshold.is_not(None))):
            event_ids += refresh_low_balance(account)
    return event_ids


def notify_transactions(event_type: str, transaction_ids: Iterable[str]) -> list[str]:
    """``notify_transaction`` for rows written in bulk (``transaction.created`` after they
    were inserted, ``transaction.posted`` after they posted), in the caller's transaction."""
    ids = sorted(set(transaction_ids))
    if not ids or not any(event_type in s.events for s in _listeners()):
        return []
    event_ids: list[str] = []
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            sa.select(Transaction, Account).join(Account, Account.id == Transaction.account_id)
            .where(Transaction.id.in_(ids[start:start + 500]))
            .order_by(Transaction.authorized_at, Transaction.id))
        for transaction, account in rows:
            event_ids += notify_transaction(event_type, transaction, account)
    return event_ids


def notify_low_balance(account: Account, *, consent_id: str | None = None) -> list[str]:
    """Raise ``balance.low`` for an account (its balance and threshold for ``balances``)."""
    return emit("balance.low", bank_id=account.bank_id, customer_id=account.customer_id,
                account_id=account.id, consent_id=consent_id, data={"account_id": account.id},
                details={"balances": {
                    "balances": balances_dict(account, clock.now()),
                    "low_balance_threshold": money(account.low_balance_threshold)}})


def notify_card(account: Account, locked: bool, *, consent_id: str | None = None) -> list[str]:
    """Raise ``card.locked`` or ``card.unlocked`` for the account's card."""
    state = "locked" if locked else "unlocked"
    return emit(f"card.{state}", bank_id=account.bank_id, customer_id=account.customer_id,
                account_id=account.id, consent_id=consent_id,
                data={"account_id": account.id, "card": {"status": state}})


def notify_consent(consent: Consent, status: str) -> list[str]:
    """Raise ``consent.revoked`` or ``consent.expired`` for the consent's own client."""
    at = consent.revoked_at if status == "revoked" and consent.revoked_at else clock.now()
    if status == "expired":
        at = min(at, consent.expires_at)
    return emit(f"consent.{status}", bank_id=consent.bank_id, consent_id=consent.id,
                data={"consent_id": consent.id, "status": status, "at": instant(at)})


def announce_consent(consent: Consent, status: str) -> list[str]:
    """``notify_consent`` once per consent and status: call it in the transaction that
    revokes the consent; the worker's sweep raises the events of consents revoked or expired
    without it."""
    topic = f"consent.{status}"
    if db.session.get(WebhookNotice, (topic, consent.id)) is not None:
        return []
    db.session.add(WebhookNotice(topic=topic, subject_id=consent.id, last_at=clock.now()))
    return notify_consent(consent, status)


def notify_shipment(shipment: Shipment, *, bank_id: str, account_id: str, purchased_on: date,
                    consent_id: str | None = None) -> list[str]:
    """Raise ``shipment.updated`` for a parcel, as it stands now: only to consents that would
    show its receipt (``account_id`` the receipt's account, ``purchased_on`` the day of its
    transaction, inside the consent's window)."""
    return emit("shipment.updated", bank_id=bank_id, customer_id=shipment.customer_id,
                account_id=account_id, consent_id=consent_id, on_day=purchased_on,
                data={"shipment_id": shipment.id, "account_id": account_id},
                details={"shipments": {"shipment": shipment_dict(shipment, clock.now())}})


class FireError(ValueError):
    """An on-demand event that cannot be raised; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def fire(event_type: str, *, bank_id: str, client_id: str, customer_id: str,
         account_id: str | None = None, subject_id: str | None = None) -> list[str]:
    """Raise ``event_type`` now for one client's consent of one customer (the newest one
    entitled to it, even while the frozen clock gives several the same age), about real data:
    ``subject_id`` (a transaction or shipment id) or the latest one, on ``account_id`` or any
    consented account. Nothing changes but the outbox (not committed). Raises ``FireError``."""
    if not any(event_type in s.events for s in _listeners()
               if (s.bank_id, s.client_id) == (bank_id, client_id)):
        raise FireError("type", f"{client_id} has no subscription to {event_type} at {bank_id}.")
    consents = db.session.scalars(
        sa.select(Consent).where(Consent.bank_id == bank_id, Consent.client_id == client_id,
                                 Consent.customer_id == customer_id)
        .order_by((Consent.status == "authorized").desc(), Consent.created_at.desc(),
                  Consent.id)).all()
    if not consents:
        raise FireError("customer_id", f"{client_id} holds no consent of this customer.")
    now = clock.now()
    consent = next((c for c in consents if _entitled(event_type, c, account_id, now)),
                   consents[0])
    if event_type.startswith("consent."):
        return notify_consent(consent, event_type.split(".", 1)[1])
    accounts = [a for a in consent.account_ids or () if account_id in (None, a)]
    if not accounts:
        raise FireError("account_id", "The account is not part of the client's consent.")
    event_ids = _fire_about(event_type, consent, accounts, subject_id)
    if not event_ids:
        raise FireError("type", f"The client's consent {consent.id} is not entitled to "
                                f"{event_type}: it needs an active consent with one of the "
                                f"scopes {', '.join(sorted(EVENT_SCOPES[event_type]))}.")
    return event_ids


def _fire_about(event_type: str, consent: Consent, accounts: list[str],
                subject_id: str | None) -> list[str]:
    if event_type.startswith("transaction."):
        query = sa.select(Transaction).where(Transaction.account_id.in_(accounts))
        if subject_id:
            query = query.where(Transaction.id == subject_id)
        transaction = db.session.scalar(
            query.order_by(Transaction.authorized_at.desc(), Transaction.id.desc()).limit(1))
        if transaction is None:
            raise FireError("subject_id", "No such transaction on the consented accounts.")
        account = db.session.get(Account, transaction.account_id)
        return notify_transaction(event_type, transaction, account, consent_id=consent.id)
    if event_type == "shipment.updated":
        query = (sa.select(Shipment, Receipt.account_id, Transaction.authorized_at)
                 .join(Receipt, Receipt.id == Shipment.receipt_id)
                 .join(Transaction, Transaction.id == Receipt.transaction_id)
                 .where(Receipt.account_id.in_(accounts),
                        Receipt.issued_at <= clock.now()))
        if subject_id:
            query = query.where(Shipment.id == subject_id)
        row = db.session.execute(
            query.order_by(Shipment.shipped_at.desc(), Shipment.id.desc()).limit(1)).first()
        if row is None:
            raise FireError("subject_id", "No such shipment on the consented accounts.")
        shipment, account_id, purchased_at = row
        return notify_shipment(shipment, bank_id=consent.bank_id, account_id=account_id,
                               purchased_on=purchased_at.date(), consent_id=consent.id)
    account = db.session.get(Account, accounts[0])
    if event_type == "balance.low":
        return notify_low_balance(account, consent_id=consent.id)
    return notify_card(account, event_type == "card.locked", consent_id=consent.id)


def sweep() -> None:
    """Raise, each once, the events nothing else raises in the transaction of their cause:
    ``consent.expired`` when the clock passes a consent's expiry, ``consent.revoked`` for
    revocations not announced by their own transaction, ``shipment.updated`` when a parcel's
    next tracking event comes due. Also prunes expired idempotency records. Commits (when a
    concurrent sweep raised the same events first, this one rolls back)."""
    now = clock.now()
    expired = IdempotencyRecord.expires_at <= now
    if db.session.scalar(sa.select(IdempotencyRecord.id).where(expired).limit(1)) is not None:
        db.session.execute(sa.delete(IdempotencyRecord).where(expired))
    listeners = _listeners()
    try:
        for status in ("expired", "revoked"):
            _sweep_consents(now, status,
                            [s for s in listeners if f"consent.{status}" in s.events])
        _sweep_shipments(now, [s for s in listeners if "shipment.updated" in s.events])
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()


def _since(listening: list[Listener]) -> dict[tuple[str, str], datetime]:
    """When each (bank, client) started listening."""
    since: dict[tuple[str, str], datetime] = {}
    for listener in listening:
        key = (listener.bank_id, listener.client_id)
        since[key] = min(since.get(key, listener.created_at), listener.created_at)
    return since


def _sweep_consents(now: datetime, status: str, listening: list[Listener]) -> None:
    since = _since(listening)
    if not since:
        return
    topic = f"consent.{status}"
    noticed = sa.select(WebhookNotice.subject_id).where(WebhookNotice.topic == topic)
    if status == "expired":
        when = Consent.expires_at
        query = sa.select(Consent).where(Consent.status == "authorized", when <= now)
    else:
        when = Consent.revoked_at
        query = sa.select(Consent).where(Consent.status == "revoked", when.is_not(None))
    candidates = db.session.scalars(
        query.where(Consent.client_id.in_({client for _, client in since}),
                    when >= min(since.values()), Consent.id.not_in(noticed))
        .order_by(when, Consent.id))
    for consent in candidates:
        start = since.get((consent.bank_id, consent.client_id))
        if start is None or getattr(consent, when.key) < start:
            continue
        db.session.add(WebhookNotice(topic=topic, subject_id=consent.id, last_at=now))
        notify_consent(consent, status)


def _sweep_shipments(now: datetime, listening: list[Listener]) -> None:
    since = _since(listening)
    if not since:
        return
    customers = {
        consent.customer_id
        for consent in db.session.scalars(
            sa.select(Consent).where(Consent.status == "authorized", Consent.expires_at > now,
                                     Consent.client_id.in_({c for _, c in since})))
        if (consent.bank_id, consent.client_id) in since and "shipments" in consent.scopes
    }
    if not customers:
        return
    baseline = min(since.values())
    rows = db.session.execute(
        sa.select(Shipment, Receipt.account_id, Transaction.authorized_at, Customer.bank_id,
                  WebhookNotice)
        .join(Receipt, Receipt.id == Shipment.receipt_id)
        .join(Transaction, Transaction.id == Receipt.transaction_id)
        .join(Customer, Customer.id == Shipment.customer_id)
        .outerjoin(WebhookNotice, sa.and_(WebhookNotice.topic == "shipment.updated",
                                          WebhookNotice.subject_id == Shipment.id))
        .where(Shipment.customer_id.in_(customers), Receipt.issued_at <= now,
               Shipment.shipped_at > now - SHIPMENT_WATCH)
        .order_by(Shipment.shipped_at, Shipment.id))
    for shipment, account_id, purchased_at, bank_id, notice in rows:
        visible = visible_events(shipment.events or [], now)
        if not visible:
            continue
        latest_at = clock.parse_instant(visible[-1]["at"])
        if notice is None:
            db.session.add(WebhookNotice(topic="shipment.updated", subject_id=shipment.id,
                                         last_at=latest_at))
            if latest_at <= baseline:
                continue
        elif latest_at <= notice.last_at:
            continue
        else:
            notice.last_at = latest_at
        notify_shipment(shipment, bank_id=bank_id, account_id=account_id,
                        purchased_on=purchased_at.date())
