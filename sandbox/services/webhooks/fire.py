"""Fire: the control plane's test event, raised now about real data for one client's consent.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import Conflict, NotFound
from sandbox.models import Account, Consent, Customer, Receipt, Shipment, Transaction
from sandbox.services.webhooks.events import EVENT_SCOPES
from sandbox.services.webhooks.listeners import listeners
from sandbox.services.webhooks.notify import (
    notify_card,
    notify_consent,
    notify_low_balance,
    notify_shipment,
    notify_transaction,
)
from sandbox.services.webhooks.outbox import entitled


class FireError(Conflict):
    """An on-demand event that cannot be raised (409); ``field`` names the culprit in the
    JSON body."""

    def __init__(self, field: str, detail: str):
        super().__init__(detail, field=field, location="json")


class UnknownCustomer(NotFound):
    """The bank has no customer of that username (404)."""

    def problem_errors(self) -> list[dict]:
        return [{"path": "username", "location": "json", "message": "Unknown customer."}]


def fire(session: Session, event_type: str, *, now: datetime, bank_id: str, client_id: str,
         username: str, account_id: str | None = None,
         subject_id: str | None = None) -> list[str]:
    """Raise ``event_type`` now for one client's consent of the customer ``username`` (the
    newest one entitled to it, even while the frozen clock gives several the same age), about
    real data: ``subject_id`` (a transaction or shipment id) or the latest one, on
    ``account_id`` or any consented account. Nothing changes but the outbox. Raises
    ``UnknownCustomer`` or ``FireError``."""
    customer_id = session.scalar(sa.select(Customer.id).where(
        Customer.bank_id == bank_id, Customer.username == username))
    if customer_id is None:
        raise UnknownCustomer(f"{bank_id} has no customer {username!r}.")
    if not any(event_type in s.events for s in listeners(session, bank_id=bank_id)
               if s.client_id == client_id):
        raise FireError("type", f"{client_id} has no subscription to {event_type} at {bank_id}.")
    consents = session.scalars(
        sa.select(Consent).where(Consent.bank_id == bank_id, Consent.client_id == client_id,
                                 Consent.customer_id == customer_id)
        .order_by((Consent.status == "authorized").desc(), Consent.created_at.desc(),
                  Consent.id)).all()
    if not consents:
        raise FireError("username", f"{client_id} holds no consent of this customer.")
    consent = next((c for c in consents if entitled(event_type, c, account_id, now)),
                   consents[0])
    if event_type.startswith("consent."):
        return notify_consent(session, consent, event_type.split(".", 1)[1], now=now)
    accounts = [a for a in consent.account_ids or () if account_id in (None, a)]
    if not accounts:
        raise FireError("account_id", "The account is not part of the client's consent.")
    event_ids = _fire_about(session, event_type, consent, accounts, subject_id, now=now)
    if not event_ids:
        raise FireError("type", f"The client's consent {consent.id} is not entitled to "
                                f"{event_type}: it needs an active consent with one of the "
                                f"scopes {', '.join(sorted(EVENT_SCOPES[event_type]))}.")
    return event_ids


def _fire_about(session: Session, event_type: str, consent: Consent, accounts: list[str],
                subject_id: str | None, *, now: datetime) -> list[str]:
    if event_type.startswith("transaction."):
        query = sa.select(Transaction).where(Transaction.account_id.in_(accounts))
        if subject_id:
            query = query.where(Transaction.id == subject_id)
        transaction = session.scalar(
            query.order_by(Transaction.authorized_at.desc(), Transaction.id.desc()).limit(1))
        if transaction is None:
            raise FireError("subject_id", "No such transaction on the consented accounts.")
        account = session.get(Account, transaction.account_id)
        return notify_transaction(session, event_type, transaction, account, now=now,
                                  consent_id=consent.id)
    if event_type == "shipment.updated":
        query = (sa.select(Shipment, Receipt.account_id, Transaction.authorized_at)
                 .join(Receipt, Receipt.id == Shipment.receipt_id)
                 .join(Transaction, Transaction.id == Receipt.transaction_id)
                 .where(Receipt.account_id.in_(accounts), Receipt.issued_at <= now))
        if subject_id:
            query = query.where(Shipment.id == subject_id)
        row = session.execute(
            query.order_by(Shipment.shipped_at.desc(), Shipment.id.desc()).limit(1)).first()
        if row is None:
            raise FireError("subject_id", "No such shipment on the consented accounts.")
        shipment, account_id, purchased_at = row
        return notify_shipment(session, shipment, now=now, bank_id=consent.bank_id,
                               account_id=account_id, purchased_on=purchased_at.date(),
                               consent_id=consent.id)
    account = session.get(Account, accounts[0])
    if event_type == "balance.low":
        return notify_low_balance(session, account, now=now, consent_id=consent.id)
    return notify_card(session, account, event_type == "card.locked", now=now,
                       consent_id=consent.id)
