"""``sandbox export``: the world as JSON (DESIGN.md §5), streamed.

``{"as_of", "banks": [bank + "customers": [customer + "accounts": [account + "balances" +
"transactions": [transaction + "receipt"]]]], "seed"}``. Keys are sorted and rows come in a
stable order (position, then time, then id), so the same world exports to the same bytes.
Rows are read in batches and written as they come; one transaction per line.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import (
    Account, Bank, Customer, Merchant, Receipt, Shipment, Transaction, WorldState,
)
from sandbox.services.representation import (
    account_dict, balances_dict, bank_dict, customer_dict, instant, merchant_dict, receipt_dict,
    shipment_dict, transaction_dict,
)

#: Issuer base when ``SANDBOX_BASE_URL`` is unset: where ``sandbox serve`` listens by default.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
BATCH = 2000

_dump = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


class UnknownBank(NotFound):
    """``--bank`` names no bank of this world (404)."""


def export_world(session: Session, out: TextIO, *, now: datetime,
                 base_url: str | None = None, bank_id: str | None = None) -> None:
    """Write the world (or one bank of it) as of ``now`` to ``out`` as JSON; issuers are
    under ``base_url`` (``SANDBOX_BASE_URL``; :data:`DEFAULT_BASE_URL` when None)."""
    banks_query = sa.select(Bank).order_by(Bank.position, Bank.id)
    if bank_id is not None:
        if session.get(Bank, bank_id) is None:
            raise UnknownBank(f"no bank {bank_id!r} in this world")
        banks_query = banks_query.where(Bank.id == bank_id)
    state = session.get(WorldState, 1)
    exporter = _Exporter(session, out, now, base_url or DEFAULT_BASE_URL)
    banks = session.scalars(banks_query).all()
    header = {"as_of": instant(exporter.now), "seed": state.seed if state else None}
    exporter.object(header, "banks", lambda: exporter.each(banks, exporter.bank))
    out.write("\n")


class _Exporter:
    """Writes the nested objects; holds what every level needs."""

    def __init__(self, session: Session, out: TextIO, now: datetime, base_url: str):
        self.out = out
        self.now = now
        self.base_url = base_url
        self.connection = session.connection()
        self.merchants = {m.id: merchant_dict(m) for m in session.scalars(sa.select(Merchant))}

    def object(self, fields: dict, key: str, write_list: Callable[[], None]) -> None:
        """Write ``fields`` plus ``key``, keys sorted; ``write_list`` writes the elements of
        ``key``'s list."""
        out = self.out
        out.write("{")
        for index, name in enumerate(sorted([*fields, key])):
            out.write(("," if index else "") + _dump(name) + ":")
            if name == key:
                out.write("[")
                write_list()
                out.write("]")
            else:
                out.write(_dump(fields[name]))
        out.write("}")

    def each(self, rows: Iterable, write_one: Callable) -> None:
        """Write ``write_one(row)`` for every row, one per line."""
        for position, row in enumerate(rows):
            self.out.write(",\n" if position else "\n")
            write_one(row)

    def bank(self, bank: Bank) -> None:
        customers = self.connection.execute(
            sa.select(Customer.__table__).where(Customer.bank_id == bank.id)
            .order_by(Customer.position, Customer.id)).all()
        self.object(bank_dict(bank, self.base_url), "customers",
                    lambda: self.each(customers, self.customer))

    def customer(self, customer) -> None:
        accounts = self.connection.execute(
            sa.select(Account.__table__).where(Account.customer_id == customer.id)
            .order_by(Account.position, Account.id)).all()
        self.object(customer_dict(customer), "accounts",
                    lambda: self.each(accounts, self.account))

    def account(self, account) -> None:
        fields = {**account_dict(account), "balances": balances_dict(account, self.now)}
        self.object(fields, "transactions", lambda: self.transactions(account.id))

    def transactions(self, account_id: str) -> None:
        receipts = self.receipts(account_id)
        merchants = self.merchants
        rows = self.connection.execute(
            sa.select(Transaction.__table__).where(Transaction.account_id == account_id)
            .order_by(Transaction.authorized_at, Transaction.id)
            .execution_options(yield_per=BATCH))
        separator = "\n"
        for batch in rows.partitions(BATCH):
            lines = []
            for row in batch:
                body = transaction_dict(row, merchants.get(row.merchant_id))
                body["receipt"] = receipts.get(row.receipt_id)
                lines.append(_dump(body))
            self.out.write(separator + ",\n".join(lines))
            separator = ",\n"

    def receipts(self, account_id: str) -> dict[str, dict]:
        """The account's receipts with their shipments as objects, by id."""
        parcels: dict[str, list[dict]] = {}
        shipments = self.connection.execute(
            sa.select(Shipment.__table__).join(Receipt, Receipt.id == Shipment.receipt_id)
            .where(Receipt.account_id == account_id).order_by(Shipment.id))
        for shipment in shipments:
            parcels.setdefault(shipment.receipt_id, []).append(shipment_dict(shipment, self.now))
        receipts = self.connection.execute(
            sa.select(Receipt.__table__).where(Receipt.account_id == account_id))
        return {receipt.id: receipt_dict(receipt, self.merchants.get(receipt.merchant_id),
                                         parcels.get(receipt.id, []))
                for receipt in receipts}
