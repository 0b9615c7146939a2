"""The banking world: banks, customers, accounts, merchants, transactions, receipts, shipments."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db
from sandbox.models.types import Money, UTCDateTime


class Bank(db.Model):
    """A fictional bank. ``settings`` holds the validated fixture (brand, products, policies)."""

    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    routing_number: Mapped[str] = mapped_column(sa.String(9))
    settings: Mapped[dict] = mapped_column(sa.JSON)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)


class Customer(db.Model):
    """A bank's customer: a persona, a generated customer or one created by QA."""

    __tablename__ = "customers"
    __table_args__ = (sa.UniqueConstraint("bank_id", "username"),)

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    username: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    persona: Mapped[str | None] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(40))
    line1: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(100))
    region: Mapped[str] = mapped_column(sa.String(2))
    postal_code: Mapped[str] = mapped_column(sa.String(10))
    country: Mapped[str] = mapped_column(sa.String(2), default="US")
    home_lat: Mapped[float] = mapped_column(sa.Float)
    home_lon: Mapped[float] = mapped_column(sa.Float)
    mfa_required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    locked: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class Account(db.Model):
    """An account. ``current_balance`` is opening plus every posted amount (cards: amount owed)."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    type: Mapped[str] = mapped_column(sa.String(16))
    product: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(120))
    nickname: Mapped[str | None] = mapped_column(sa.String(60))
    mask: Mapped[str] = mapped_column(sa.String(4))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    status: Mapped[str] = mapped_column(sa.String(8), default="open")
    opened_on: Mapped[date] = mapped_column(sa.Date)
    routing_number: Mapped[str] = mapped_column(sa.String(9))
    credit_limit: Mapped[Decimal | None] = mapped_column(Money)
    statement_day: Mapped[int | None] = mapped_column(sa.Integer)
    apr: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 3))
    opening_balance: Mapped[Decimal] = mapped_column(Money)
    current_balance: Mapped[Decimal] = mapped_column(Money)
    pending_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    card_locked: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    low_balance_threshold: Mapped[Decimal | None] = mapped_column(Money)
    minimum_payment: Mapped[Decimal | None] = mapped_column(Money)
    payment_due_on: Mapped[date | None] = mapped_column(sa.Date)
    generated_through: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Merchant(db.Model):
    """A fictional merchant from the catalogue (``fixtures/merchants.yaml``)."""

    __tablename__ = "merchants"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(40))
    mcc: Mapped[str] = mapped_column(sa.String(4))
    website: Mapped[str | None] = mapped_column(sa.String(200))


class Transaction(db.Model):
    """A card, ACH, transfer, fee or interest movement, signed from the holder's side.

    ``posts_at`` is the planned posting instant; ``posted_at`` is set (to it) once the row
    has posted, and stays null while it is pending."""

    __tablename__ = "transactions"
    __table_args__ = (
        sa.Index("ix_transactions_account_time", "account_id", "authorized_at", "id"),
        sa.Index("ix_transactions_status_posts", "status", "posts_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(8))
    authorized_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(10))
    merchant_id: Mapped[str | None] = mapped_column(sa.ForeignKey("merchants.id"))
    location_line1: Mapped[str | None] = mapped_column(sa.String(200))
    location_city: Mapped[str | None] = mapped_column(sa.String(100))
    location_region: Mapped[str | None] = mapped_column(sa.String(2))
    location_postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    location_country: Mapped[str | None] = mapped_column(sa.String(2))
    location_lat: Mapped[float | None] = mapped_column(sa.Float)
    location_lon: Mapped[float | None] = mapped_column(sa.Float)
    running_balance: Mapped[Decimal | None] = mapped_column(Money)
    counterparty_account_id: Mapped[str | None] = mapped_column(sa.String(40))
    receipt_id: Mapped[str | None] = mapped_column(sa.String(40))


class Receipt(db.Model):
    """An itemised receipt. ``line_items`` is a JSON list of ``{sku, description, quantity,
    unit_price, total}`` with money as decimal strings."""

    __tablename__ = "receipts"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    merchant_id: Mapped[str] = mapped_column(sa.ForeignKey("merchants.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    currency: Mapped[str] = mapped_column(sa.String(3))
    line_items: Mapped[list] = mapped_column(sa.JSON)
    subtotal: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money)
    tip: Mapped[Decimal] = mapped_column(Money)
    shipping: Mapped[Decimal] = mapped_column(Money)
    total: Mapped[Decimal] = mapped_column(Money)
    order_id: Mapped[str | None] = mapped_column(sa.String(40))


class Shipment(db.Model):
    """A parcel of an online order. ``events`` is its whole planned timeline (JSON list of
    ``{at, status, description, city}``); what is visible and the status follow the clock."""

    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    receipt_id: Mapped[str] = mapped_column(sa.ForeignKey("receipts.id"), index=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40))
    carrier: Mapped[str] = mapped_column(sa.String(40))
    tracking_number: Mapped[str] = mapped_column(sa.String(40))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    estimated_delivery: Mapped[date] = mapped_column(sa.Date)
    events: Mapped[list] = mapped_column(sa.JSON)
