"""Payloads: each event type raised about a real row, the details each scope may see.

Every function writes in the caller's unit of work and answers the event ids; ``found`` is
the live listeners when the caller raises many events in one go (see ``listeners``).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import Account, Consent, Merchant, Shipment, Transaction, WebhookNotice
from sandbox.services.representation import (
    balances_dict,
    instant,
    money,
    shipment_dict,
    transaction_dict,
)
from sandbox.services.webhooks.listeners import Listener, listeners, listening_to
from sandbox.services.webhooks.outbox import emit

#: Rows read per query by the bulk functions.
BATCH = 500


def notify_transaction(session: Session, event_type: str, transaction: Transaction,
                       account: Account, *, now: datetime, consent_id: str | None = None,
                       found: list[Listener] | None = None) -> list[str]:
    """Raise ``transaction.created`` or ``transaction.posted`` for a transaction."""
    merchant = session.get(Merchant, transaction.merchant_id) if transaction.merchant_id \
        else None
    return emit(session, event_type, now=now, bank_id=account.bank_id,
                customer_id=account.customer_id, account_id=account.id, consent_id=consent_id,
                on_day=transaction.authorized_at.date(), found=found,
                data={"account_id": account.id, "transaction_id": transaction.id},
                details={"transactions": {"transaction": transaction_dict(transaction,
                                                                          merchant)}})


def notify_transactions(session: Session, event_type: str, transaction_ids: Iterable[str], *,
                        now: datetime) -> list[str]:
    """``notify_transaction`` for rows written in bulk (``transaction.created`` after they
    were inserted, ``transaction.posted`` after they posted)."""
    ids = sorted(set(transaction_ids))
    found = listeners(session) if ids else []
    if not listening_to(event_type, found):
        return []
    event_ids: list[str] = []
    for start in range(0, len(ids), BATCH):
        rows = session.execute(
            sa.select(Transaction, Account).join(Account, Account.id == Transaction.account_id)
            .where(Transaction.id.in_(ids[start:start + BATCH]))
            .order_by(Transaction.authorized_at, Transaction.id))
        for transaction, account in rows:
            event_ids += notify_transaction(session, event_type, transaction, account, now=now,
                                            found=found)
    return event_ids


def watched_balance(account: Account, *, now: datetime) -> Decimal | None:
    """The figure a low-balance alert watches: the ``available`` balance (cards: available
    credit); None for loans and mortgages."""
    available = balances_dict(account, now)["available"]
    return None if available is None else Decimal(available)


def refresh_low_balance(session: Session, account: Account, *, now: datetime,
                        found: list[Listener] | None = None) -> list[str]:
    """Raise ``balance.low`` when the account is below its threshold and was not already
    (call after its balance or threshold changed, in the same unit of work). The alert
    re-arms once the balance is back at or above the threshold."""
    threshold = account.low_balance_threshold
    balance = watched_balance(account, now=now)
    low = threshold is not None and balance is not None and balance < threshold
    notice = session.get(WebhookNotice, ("balance.low", account.id))
    if not low:
        if notice is not None:
            session.delete(notice)
        return []
    if notice is not None:
        return []
    session.add(WebhookNotice(topic="balance.low", subject_id=account.id, last_at=now))
    return notify_low_balance(session, account, now=now, found=found)


def refresh_low_balances(session: Session, account_ids: Iterable[str], *,
                         now: datetime) -> list[str]:
    """``refresh_low_balance`` for every account of ``account_ids`` that has a threshold
    (for code that changes balances in bulk, such as the world catching up)."""
    ids = sorted(set(account_ids))
    found = listeners(session) if ids else []
    event_ids: list[str] = []
    for start in range(0, len(ids), BATCH):
        for account in session.scalars(sa.select(Account).where(
                Account.id.in_(ids[start:start + BATCH]),
                Account.low_balance_threshold.is_not(None))):
            event_ids += refresh_low_balance(session, account, now=now, found=found)
    return event_ids


def notify_low_balance(session: Session, account: Account, *, now: datetime,
                       consent_id: str | None = None,
                       found: list[Listener] | None = None) -> list[str]:
    """Raise ``balance.low`` for an account (its balance and threshold for ``balances``)."""
    return emit(session, "balance.low", now=now, bank_id=account.bank_id,
                customer_id=account.customer_id, account_id=account.id, consent_id=consent_id,
                data={"account_id": account.id}, found=found,
                details={"balances": {
                    "balances": balances_dict(account, now),
                    "low_balance_threshold": money(account.low_balance_threshold)}})


def notify_card(session: Session, account: Account, locked: bool, *, now: datetime,
                consent_id: str | None = None) -> list[str]:
    """Raise ``card.locked`` or ``card.unlocked`` for the account's card."""
    state = "locked" if locked else "unlocked"
    return emit(session, f"card.{state}", now=now, bank_id=account.bank_id,
                customer_id=account.customer_id, account_id=account.id, consent_id=consent_id,
                data={"account_id": account.id, "card": {"status": state}})


def notify_consent(session: Session, consent: Consent, status: str, *, now: datetime,
                   found: list[Listener] | None = None) -> list[str]:
    """Raise ``consent.revoked`` (with the stored ``reason``: who revoked it) or
    ``consent.expired`` for the consent's own client."""
    at = consent.revoked_at if status == "revoked" and consent.revoked_at else now
    if status == "expired":
        at = min(at, consent.expires_at)
    data = {"consent_id": consent.id, "status": status, "at": instant(at)}
    if status == "revoked":
        data["reason"] = consent.revoked_by
    return emit(session, f"consent.{status}", now=now, bank_id=consent.bank_id,
                consent_id=consent.id, found=found, data=data)


def announce_consent(session: Session, consent: Consent, status: str, *,
                     now: datetime) -> list[str]:
    """``notify_consent`` once per consent and status: call it in the unit of work that
    revokes the consent; the worker's sweep raises the events of consents revoked or expired
    without it."""
    topic = f"consent.{status}"
    if session.get(WebhookNotice, (topic, consent.id)) is not None:
        return []
    session.add(WebhookNotice(topic=topic, subject_id=consent.id, last_at=now))
    return notify_consent(session, consent, status, now=now)


def notify_shipment(session: Session, shipment: Shipment, *, now: datetime, bank_id: str,
                    account_id: str, purchased_on: date, consent_id: str | None = None,
                    found: list[Listener] | None = None) -> list[str]:
    """Raise ``shipment.updated`` for a parcel, as it stands now: only to consents that would
    show its receipt (``account_id`` the receipt's account, ``purchased_on`` the day of its
    transaction, inside the consent's window)."""
    return emit(session, "shipment.updated", now=now, bank_id=bank_id,
                customer_id=shipment.customer_id, account_id=account_id, consent_id=consent_id,
                on_day=purchased_on, found=found,
                data={"shipment_id": shipment.id, "account_id": account_id},
                details={"shipments": {"shipment": shipment_dict(shipment, now)}})
