"""Signing a customer in at a bank: password, locked accounts, one-time codes."""
from __future__ import annotations

import hmac
import secrets
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from sandbox.errors import SandboxError
from sandbox.models import Account, Bank, Customer

#: Whenever a bank asks for a one-time code, this is the code (DESIGN.md §4).
ONE_TIME_CODE = "123456"
#: The password of every persona (DESIGN.md §4).
PERSONA_PASSWORD = "pass_good"


class LoginRefused(SandboxError):
    """A sign-in attempt failed: ``reason`` is ``invalid_credentials`` (400) or ``locked``
    (403); ``detail`` is what the person is told."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.status = 403 if reason == "locked" else 400


@cache
def _unknown_user_hash() -> str:
    """A hash of a random password, made like the customers' (Werkzeug's default method):
    an unknown username costs the same check as a known one."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(session: Session, bank_id: str, username: str, password: str) -> Customer:
    """The customer whose credentials these are; raises ``LoginRefused`` otherwise. An
    unknown username is checked against a stand-in hash, so both answers take as long."""
    customer = session.scalar(
        sa.select(Customer).where(Customer.bank_id == bank_id,
                                  Customer.username == username.strip()))
    stored = customer.password_hash if customer is not None else _unknown_user_hash()
    if not check_password_hash(stored, password) or customer is None:
        raise LoginRefused("invalid_credentials",
                           "The username or password is incorrect. Please try again.")
    if customer.locked:
        raise LoginRefused("locked",
                           "This account is locked. For your security, sign-in is not "
                           "possible until the bank unlocks it.")
    return customer


def needs_one_time_code(bank: Bank, customer: Customer) -> bool:
    """Whether the bank's MFA policy asks this customer for a one-time code."""
    return bank.settings.get("mfa_policy") == "always" or customer.mfa_required


def check_one_time_code(code: str) -> bool:
    """True when ``code`` is the sandbox's one-time code."""
    return hmac.compare_digest(code.strip().encode(), ONE_TIME_CODE.encode())


def test_users(session: Session, bank_id: str) -> list[Customer]:
    """The bank's personas, in fixture order (shown on the sign-in page: it is a sandbox)."""
    return list(session.scalars(
        sa.select(Customer).where(Customer.bank_id == bank_id, Customer.persona.is_not(None))
        .order_by(Customer.position)))


def accounts_of(session: Session, customer_id: str) -> list[Account]:
    """The customer's open accounts, in display order."""
    return list(session.scalars(
        sa.select(Account).where(Account.customer_id == customer_id, Account.status == "open")
        .order_by(Account.position)))
