"""Account management bodies."""
import re
from decimal import Decimal

import marshmallow as ma

from sandbox.api.transactions.schemas import TransactionSchema

CENT = Decimal("0.01")
#: What an amount looks like, and one with too many decimal places.
AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
PRECISE = re.compile(r"^\d+\.\d{3,}$")


class Money(ma.fields.String):
    """A non-negative amount with at most two decimal places, as a decimal string
    (``"42.17"``), loaded as a ``Decimal``."""

    default_error_messages = {"amount": "Not an amount: a decimal string such as \"42.17\".",
                              "precision": "At most two decimal places.",
                              "negative": "Must not be negative."}

    def __init__(self, **kwargs):
        metadata = kwargs.setdefault("metadata", {})
        metadata.setdefault("pattern", AMOUNT.pattern)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text.startswith("-"):
            raise self.make_error("negative")
        if not AMOUNT.fullmatch(text):
            raise self.make_error("precision" if PRECISE.fullmatch(text) else "amount")
        return Decimal(text).quantize(CENT)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value).quantize(CENT)}"


class CardSchema(ma.Schema):
    """The state of an account's card."""

    account_id = ma.fields.String(metadata={"description": "The account the card belongs to."})
    status = ma.fields.String(metadata={"description": "`locked` (new purchases are "
                                                       "declined) or `unlocked`.",
                                        "example": "locked"})


class AlertsSchema(ma.Schema):
    """The account's alerts."""

    low_balance_threshold = Money(
        required=True, allow_none=True,
        metadata={"description": "Raise `balance.low` when the available balance (cards: "
                                 "available credit) drops below this amount; null: no alert.",
                  "example": "100.00"})


class AlertsStateSchema(AlertsSchema):
    """The account's alerts, as set."""

    account_id = ma.fields.String(metadata={"description": "The account."})
    currency = ma.fields.String(metadata={"description": "Currency of the threshold.",
                                          "example": "USD"})


class NicknameSchema(ma.Schema):
    """A change to the account."""

    nickname = ma.fields.String(
        required=True, allow_none=True, validate=ma.validate.Length(max=60),
        metadata={"description": "The person's own name for the account (up to 60 "
                                 "characters); null or blank removes it.",
                  "example": "Bills"})


class TransferCreateSchema(ma.Schema):
    """Money to move between two of the person's own accounts."""

    from_account_id = ma.fields.String(required=True, metadata={
        "description": "The checking or savings account the money leaves; it must be open "
                       "and covered by the consent."})
    to_account_id = ma.fields.String(required=True, metadata={
        "description": "The account the money goes to (a deposit account, or a card, loan or "
                       "mortgage to pay it down); open and covered by the consent."})
    amount = Money(required=True, metadata={
        "description": "How much: more than zero, at most two decimal places, at most the "
                       "source's available balance.", "example": "250.00"})
    memo = ma.fields.String(load_default=None, allow_none=True,
                            validate=ma.validate.Length(max=140), metadata={
                                "description": "A note shown on both transactions (up to "
                                               "140 characters).", "example": "Rent share"})


class TransferSchema(ma.Schema):
    """A transfer, posted at once, and its two transactions."""

    id = ma.fields.String(metadata={"description": "Transfer id."})
    status = ma.fields.String(metadata={"description": "Always `posted`: transfers between "
                                                       "own accounts settle at once."})
    from_account_id = ma.fields.String(metadata={"description": "The account debited."})
    to_account_id = ma.fields.String(metadata={"description": "The account credited."})
    amount = ma.fields.String(metadata={"description": "The amount moved.",
                                        "example": "250.00"})
    currency = ma.fields.String(metadata={"description": "ISO 4217 currency code.",
                                          "example": "USD"})
    memo = ma.fields.String(allow_none=True, metadata={"description": "The note, or null."})
    created_at = ma.fields.String(metadata={"description": "When it was made (sandbox clock).",
                                            "format": "date-time"})
    transactions = ma.fields.List(ma.fields.Nested(TransactionSchema), metadata={
        "description": "The debit of the source, then the credit of the target; each names "
                       "the other account in `counterparty_account_id`."})
