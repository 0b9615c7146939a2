"""Shapes of transactions and the arguments of the transaction list (DESIGN.md §2, §5)."""
import marshmallow as ma

from sandbox.api.common import PageArgs, Schema, instant, money, one_of, text
from sandbox.vocabulary import CATEGORIES, CHANNELS
from sandbox.vocabulary import TRANSACTION_STATUSES as STATUSES

#: Largest magnitude an amount filter accepts.
AMOUNT_BOUND = 10**12
#: Printable text: no control characters.
PRINTABLE = ma.validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Must not contain control "
                                                               "characters.")


def _within_bounds(value) -> None:
    if abs(value) > AMOUNT_BOUND:
        raise ma.ValidationError(f"Must be between -{AMOUNT_BOUND} and {AMOUNT_BOUND}.")


class MerchantSchema(Schema):
    """A merchant of the sandbox's fictional catalogue."""

    id = text("Merchant id.", "mch_harvestlane", required=True)
    name = text("Merchant name.", "Harvest Lane Grocers", required=True)
    category = text("Merchant category.", "groceries", required=True)
    mcc = text("ISO 18245 merchant category code.", "5411", required=True)
    website = text("Merchant website, or null.", "https://hopride.example", required=True,
                   allow_none=True)


class LocationSchema(Schema):
    """Where an in-store movement happened."""

    line1 = text("Street address.", "7701 Eric Field", required=True, allow_none=True)
    city = text("City.", "Atlanta", required=True)
    region = text("US state, two letters.", "GA", required=True, allow_none=True)
    postal_code = text("ZIP code.", "30307", required=True, allow_none=True)
    country = text("ISO 3166-1 alpha-2 country code.", "US", required=True, allow_none=True)
    lat = ma.fields.Float(required=True, allow_none=True,
                          metadata={"description": "Latitude.", "example": 33.75568})
    lon = ma.fields.Float(required=True, allow_none=True,
                          metadata={"description": "Longitude.", "example": -84.44828})


class TransactionSchema(Schema):
    """A movement on an account, signed from the holder's side."""

    id = text("Transaction id, opaque and unique across the world.",
              "txn_27c8ceb7c61ec93b09822003", required=True)
    account_id = text("The account it belongs to.", "acc_3292a6d48e31aed0", required=True)
    amount = money("Signed amount: negative when money leaves the account (purchases, "
                    "payments out), positive when it comes in.", required=True)
    currency = text("ISO 4217 currency code.", "USD", required=True)
    status = one_of("`pending` until it posts, then `posted`.", STATUSES, required=True)
    authorized_at = instant("When it was authorized (its place in the list).", required=True)
    posted_at = instant("When it posted; null while pending.", required=True, allow_none=True)
    description = text("Statement descriptor.", "HARVEST LANE GROCERS #5371 ATLANTA GA",
                       required=True)
    category = one_of("Spending category.", CATEGORIES, required=True)
    channel = one_of("How the money moved.", CHANNELS, required=True)
    merchant = ma.fields.Nested(MerchantSchema, required=True, allow_none=True, metadata={
        "description": "The merchant, or null (transfers, salary, fees, interest)."})
    location = ma.fields.Nested(LocationSchema, required=True, allow_none=True, metadata={
        "description": "Where it happened (in-store movements), or null."})
    running_balance = money("Balance right after it posted (cards: amount owed); null while "
                             "pending.", required=True, allow_none=True)
    counterparty_account_id = text("The person's other account of an own-account transfer, "
                                   "or null.", required=True, allow_none=True)
    receipt_id = text("Its itemised receipt, or null.", required=True, allow_none=True)


class TransactionPageSchema(Schema):
    """One page of transactions, newest first."""

    data = ma.fields.List(ma.fields.Nested(TransactionSchema), required=True,
                          metadata={"description": "The transactions of this page."})
    next_cursor = text("Pass it as `cursor` to get the next page; null on the last page.",
                       required=True, allow_none=True)


class TransactionArgs(PageArgs):
    """Filters of the transaction list; all optional, combined with AND."""

    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "Only transactions authorized on or after this day (UTC).",
        "example": "2026-01-01"})
    to = ma.fields.Date(metadata={
        "description": "Only transactions authorized on or before this day (UTC).",
        "example": "2026-01-31"})
    status = one_of("Only `pending` or only `posted` transactions.", STATUSES)
    category = one_of("Only this spending category.", CATEGORIES)
    min_amount = ma.fields.Decimal(validate=_within_bounds, metadata={
        "description": "Only amounts at or above this signed value: `-50` keeps debits up to "
                       "50.00 and every credit.",
        "example": -50, "minimum": -AMOUNT_BOUND, "maximum": AMOUNT_BOUND})
    max_amount = ma.fields.Decimal(validate=_within_bounds, metadata={
        "description": "Only amounts at or below this signed value: `-100` keeps debits of "
                       "100.00 or more.",
        "example": -100, "minimum": -AMOUNT_BOUND, "maximum": AMOUNT_BOUND})
    q = ma.fields.String(validate=[ma.validate.Length(1, 100), PRINTABLE], metadata={
        "description": "Text search: case-insensitive substring of the description or the "
                       "merchant's name.", "example": "coffee"})


