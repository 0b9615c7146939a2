"""Shapes of receipts and the arguments of the receipt list (DESIGN.md §2, §5)."""
import marshmallow as ma

from sandbox.api.common import PageArgs, Schema, instant, money, text
from sandbox.api.transactions.schemas import MerchantSchema


class LineItemSchema(Schema):
    """One line of a receipt."""

    sku = text("Stock-keeping unit.", "HOM-3103", required=True)
    description = text("What was bought.", "Bath towel set", required=True)
    quantity = ma.fields.Integer(required=True, metadata={"description": "How many.",
                                                          "example": 1})
    unit_price = money("Price of one unit.", required=True)
    total = money("quantity × unit_price.", required=True)


class ReceiptSchema(Schema):
    """An itemised receipt: line items sum to `subtotal`; subtotal + tax + tip + shipping =
    `total` = −amount of its transaction."""

    id = text("Receipt id.", "rcp_27c8ceb7c61ec93b09823001", required=True)
    transaction_id = text("The purchase it itemises.", "txn_27c8ceb7c61ec93b09823001",
                          required=True)
    merchant = ma.fields.Nested(MerchantSchema, required=True, allow_none=True,
                                metadata={"description": "Who issued the receipt."})
    issued_at = instant("When the receipt was issued.", required=True)
    currency = text("ISO 4217 currency code.", "USD", required=True)
    line_items = ma.fields.List(ma.fields.Nested(LineItemSchema), required=True,
                                metadata={"description": "What was bought."})
    subtotal = money("Sum of the line items.", required=True)
    tax = money("Sales tax.", required=True)
    tip = money("Tip.", required=True)
    shipping = money("Shipping charge.", required=True)
    total = money("What was paid.", required=True)
    order_id = text("Online order number, or null for in-store purchases.", required=True,
                    allow_none=True)
    shipments = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Ids of the order's shipments (`GET {iss}/v1/shipments/{id}`)."})


class ReceiptPageSchema(Schema):
    """One page of receipts, newest first."""

    data = ma.fields.List(ma.fields.Nested(ReceiptSchema), required=True,
                          metadata={"description": "The receipts of this page."})
    next_cursor = text("Pass it as `cursor` to get the next page; null on the last page.",
                       required=True, allow_none=True)


class ReceiptArgs(PageArgs):
    """Filters of the receipt list; all optional, combined with AND."""

    account_id = ma.fields.String(validate=ma.validate.Length(1, 40), metadata={
        "description": "Only receipts of this account (one the consent covers)."})
    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "Only receipts issued on or after this day (UTC).",
        "example": "2026-01-01"})
    to = ma.fields.Date(metadata={"description": "Only receipts issued on or before this day "
                                                 "(UTC).", "example": "2026-01-31"})
