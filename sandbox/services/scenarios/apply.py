"""The three ways to change the world with scenario documents: a whole document, one
customer from a partial spec, transactions injected into an account. Each validates first
and applies in the caller's transaction; an invalid one raises before anything is kept (the
unit of work rolls back)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import Account, Bank, Customer
from sandbox.services import manage, webhooks
from sandbox.services.representation import balances_dict
from sandbox.services.scenarios.banks import apply_bank
from sandbox.services.scenarios.consents import mint_consents
from sandbox.services.scenarios.customers import apply_customer
from sandbox.services.scenarios.document import ScenarioInvalid
from sandbox.services.scenarios.fields import reading_at
from sandbox.services.scenarios.loader import DEFAULT_PASSWORD, Loader
from sandbox.services.scenarios.schema import ScenarioSchema
from sandbox.services.scenarios.transactions import apply_transactions

DOCUMENT_INVALID = "The scenario document is invalid."
SPEC_INVALID = "The customer spec is invalid."
TRANSACTION_INVALID = "A transaction is invalid."


def load(session: Session, document: dict, *, now: datetime) -> dict:
    """Validate and apply a scenario document (times relative to ``now``); answers what
    changed, with ids and tokens. Raises :class:`ScenarioInvalid` (nothing kept)."""
    try:
        with reading_at(now):
            data = ScenarioSchema().load(document)
    except ma.ValidationError as error:
        raise ScenarioInvalid(error.messages, DOCUMENT_INVALID) from None

    def apply(loader: Loader) -> None:
        for index, bank in enumerate(data["banks"]):
            apply_bank(loader, bank, f"banks[{index}]", apply_customer)

    loader, _ = _apply(Loader(session, now, DOCUMENT_INVALID), apply)
    return loader.result()


def create_customer(session: Session, bank_id: str, spec: dict, *, now: datetime) -> dict:
    """A custom customer from a partial spec (validated by ``CustomerSpecSchema``): answers
    its credentials, id and accounts. A spec without accounts gets a generated customer of
    ``spec["profile"]`` (``regular`` when absent). Raises :class:`NotFound` for an unknown
    bank and :class:`ScenarioInvalid` with paths relative to the spec."""
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise NotFound(f"there is no bank {bank_id!r}")
    spec = {"password": DEFAULT_PASSWORD, **spec}
    if not spec.get("username") and not spec.get("id"):
        spec["username"] = _fresh_username(session, bank_id)
    if not spec.get("accounts"):
        spec.setdefault("profile", "regular")
    loader, _ = _apply(Loader(session, now, SPEC_INVALID),
                       lambda loader: apply_customer(loader, bank, spec, ""))
    return loader.result()["customers"][0]


def add_transactions(session: Session, bank_id: str, account_id: str,
                     transactions: list[dict], *, now: datetime) -> dict:
    """Inject transactions (``TransactionDocSchema`` dicts) into an account; balances and
    running balances follow, and ``transaction.created`` (``transaction.posted`` for posted
    rows) and ``balance.low`` are raised. On an account whose card is locked, card purchases
    are declined instead of added. Answers the account's new balances, the transaction ids
    and the declined purchases. Raises :class:`NotFound` when the bank has no such
    account."""
    account = session.get(Account, account_id)
    if account is None or account.bank_id != bank_id:
        raise NotFound(f"{bank_id} has no account {account_id!r}")
    decline = manage.declines_purchases(account)

    def announce(loader: Loader, ids: list[str]) -> None:
        webhooks.notify_transactions(session, "transaction.created", ids, now=loader.now)
        webhooks.notify_transactions(session, "transaction.posted", loader.posted,
                                     now=loader.now)
        webhooks.refresh_low_balances(session, [account.id], now=loader.now)

    loader, ids = _apply(Loader(session, now, TRANSACTION_INVALID),
                         lambda loader: apply_transactions(loader, account, transactions,
                                                           "transactions", decline=decline),
                         announce)
    session.refresh(account)
    return {"account_id": account.id, "transaction_ids": ids, "declined": loader.declined,
            "balances": balances_dict(account, loader.now)}


def _apply(loader: Loader, work: Callable[[Loader], Any],
           then: Callable[[Loader, Any], None] | None = None) -> tuple[Loader, Any]:
    """Run ``work(loader)``, raise its errors or bring balances up to date, then
    ``then(loader, result)`` and grant the documented consents. Answers ``(loader,
    result)``."""
    value = work(loader)
    loader.finish()
    if then is not None:
        then(loader, value)
    mint_consents(loader)
    return loader, value


def _fresh_username(session: Session, bank_id: str) -> str:
    taken = set(session.scalars(sa.select(Customer.username).where(
        Customer.bank_id == bank_id, Customer.username.like("qa\\_%", escape="\\"))))
    number = len(taken) + 1
    while f"qa_{number:05d}" in taken:
        number += 1
    return f"qa_{number:05d}"
