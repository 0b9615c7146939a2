"""The scenario document: the export format (DESIGN.md §5), every field optional but the
identifying ones, plus a few QA extensions (passwords, consents, relative times).

Times may be absolute (``2026-03-01T09:30:00Z``, ``2026-03-01``) or relative to the sandbox
clock (``now``, ``now-P3D``, ``now+PT2H``; ``today``, ``today-P1M`` for dates), so one
scenario works whatever the clock says (:mod:`sandbox.services.scenarios.fields`).
"""
from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from sandbox.catalog import aba_checksum_ok
from sandbox.services.scenarios.fields import Day, Money, When
from sandbox.vocabulary import ACCOUNT_TYPES, CATEGORIES, CHANNELS, SCOPES, SHIPMENT_STATUSES

PROFILES = ("regular", "overdrawn", "business", "new")


def _text(description: str, **kwargs) -> fields.String:
    return fields.String(metadata={"description": description}, **kwargs)


def _derived(description: str) -> fields.Raw:
    """A field of the export that is computed, accepted and ignored on load."""
    return fields.Raw(allow_none=True,
                      metadata={"description": f"{description} Derived: ignored on load."})


class AddressDocSchema(ma.Schema):
    """A postal address."""

    line1 = _text("Street address.")
    city = _text("City.")
    region = _text("State code.", validate=validate.Regexp(r"^[A-Z]{2}$"))
    postal_code = _text("ZIP code.", validate=validate.Regexp(r"^\d{5}(-\d{4})?$"))
    country = _text("Country code.", validate=validate.Equal("US"))


class PointDocSchema(ma.Schema):
    """A point on the map."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90),
                       metadata={"description": "Latitude."})
    lon = fields.Float(required=True, validate=validate.Range(-180, 180),
                       metadata={"description": "Longitude."})


class LocationDocSchema(AddressDocSchema):
    """Where an in-store transaction happened."""

    lat = fields.Float(validate=validate.Range(-90, 90), metadata={"description": "Latitude."})
    lon = fields.Float(validate=validate.Range(-180, 180), metadata={"description": "Longitude."})


class MerchantRefSchema(ma.Schema):
    """A merchant: a catalogue id (`mch_...`), or a name for a merchant of your own."""

    id = _text("Catalogue merchant id; unknown ids are refused.")
    name = _text("Trading name (a new merchant when no id is given).")
    category = _text("Spending category.", validate=validate.OneOf(CATEGORIES))
    mcc = _text("Merchant category code, 4 digits.", validate=validate.Regexp(r"^\d{4}$"))
    website = _text("Website, for online merchants.", allow_none=True)

    @ma.validates_schema
    def _named(self, data: dict, **_kwargs) -> None:
        if not data.get("id") and not data.get("name"):
            raise ma.ValidationError("Give the merchant's `id` or `name`.", "id")


class EventDocSchema(ma.Schema):
    """One step of a parcel's journey."""

    at = When(required=True, metadata={"description": "When it happened."})
    status = _text("Shipment status after this event.", required=True,
                   validate=validate.OneOf(SHIPMENT_STATUSES))
    description = _text("What happened.")
    city = _text("Where, `City, ST`.")


class ShipmentDocSchema(ma.Schema):
    """A parcel of the order. Give `status` alone and a timeline leading to it is generated."""

    id = _text("Shipment id; a new id when absent.")
    order_id = _text("Order number; the receipt's when absent.")
    receipt_id = _derived("The receipt shipped.")
    carrier = _text("Carrier name.")
    tracking_number = _text("Tracking number.")
    status = _text("Where the parcel is now (sandbox clock).", load_default="in_transit",
                   validate=validate.OneOf(SHIPMENT_STATUSES))
    shipped_at = When(allow_none=True,
                      metadata={"description": "When the carrier picked it up."})
    estimated_delivery = Day(metadata={"description": "Estimated delivery day."})
    delivered_at = _derived("When it was delivered.")
    events = fields.List(fields.Nested(EventDocSchema), metadata={
        "description": "The whole timeline, in time order (events after now stay hidden "
                       "until the clock reaches them)."})


class LineItemDocSchema(ma.Schema):
    """A receipt line."""

    sku = _text("Stock-keeping unit.")
    description = _text("Line text.", required=True)
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 10_000),
                              metadata={"description": "Quantity."})
    unit_price = Money(required=True, metadata={"description": "Price of one unit."})
    total = Money(metadata={"description": "quantity × unit_price (checked when given)."})


class ReceiptDocSchema(ma.Schema):
    """An itemised receipt. Totals left out are computed; given ones must add up to the
    transaction: subtotal + tax + tip + shipping = total = −amount."""

    id = _text("Receipt id; a new id when absent.")
    transaction_id = _derived("The transaction paid.")
    merchant = _derived("The transaction's merchant.")
    issued_at = When(metadata={"description": "When it was issued; the transaction's "
                                              "authorization when absent."})
    currency = _text("Currency; the account's when absent.")
    line_items = fields.List(fields.Nested(LineItemDocSchema), metadata={
        "description": "Lines; one line for the whole subtotal when absent."})
    subtotal = Money(metadata={"description": "Sum of the line totals."})
    tax = Money(load_default=Decimal("0.00"), metadata={"description": "Sales tax."})
    tip = Money(load_default=Decimal("0.00"), metadata={"description": "Tip."})
    shipping = Money(load_default=Decimal("0.00"), metadata={"description": "Shipping fee."})
    total = Money(metadata={"description": "What was paid: −amount of the transaction."})
    order_id = _text("Order number (online orders).", allow_none=True)
    shipments = fields.List(fields.Nested(ShipmentDocSchema), load_default=list,
                            metadata={"description": "Parcels of the order."})


class TransactionDocSchema(ma.Schema):
    """A transaction; only `amount` is required."""

    id = _text("Transaction id; an existing id of the account is replaced, else added.")
    account_id = _derived("The account.")
    amount = Money(required=True, metadata={"description": "Signed from the holder's side: "
                                                           "negative = money leaves.",
                                            "example": "-42.17"})
    currency = _text("Currency; the account's when absent.")
    status = _text("`posted` (default) or `pending`.", load_default="posted",
                   validate=validate.OneOf(("pending", "posted")))
    authorized_at = When(metadata={"description": "When it was authorized; rows without one "
                                                  "are spaced a minute apart before now, in "
                                                  "document order."})
    posted_at = When(allow_none=True, metadata={"description": "When it posted (posted rows; "
                                                               "the authorization when absent)."})
    posts_at = When(metadata={"description": "Pending rows: when the row will post as the "
                                             "clock passes it (default: authorization + 2 days)."})
    description = _text("Statement text; the merchant's name when absent.")
    category = _text("Category (the catalogue's vocabulary).", validate=validate.OneOf(CATEGORIES))
    channel = _text("How it happened.", validate=validate.OneOf(CHANNELS))
    merchant = fields.Nested(MerchantRefSchema, allow_none=True,
                             metadata={"description": "The merchant, or null."})
    location = fields.Nested(LocationDocSchema, allow_none=True,
                             metadata={"description": "Where (in-store), or null."})
    running_balance = _derived("Balance after this row.")
    counterparty_account_id = _text("The other own account of a transfer.", allow_none=True)
    receipt_id = _derived("The receipt's id.")
    receipt = fields.Nested(ReceiptDocSchema, allow_none=True,
                            metadata={"description": "The itemised receipt, or null."})


class BalancesDocSchema(ma.Schema):
    """Balances. Only `current` is read: the opening balance is set so that it holds."""

    current = Money(metadata={"description": "Deposit accounts: the balance; cards, loans and "
                                             "mortgages: the amount owed."})
    available = _derived("Available balance.")
    credit_limit = _derived("Credit limit (give `credit_limit` on the account).")
    as_of = _derived("When the balance was read.")
    currency = _derived("Currency.")


class AccountDocSchema(ma.Schema):
    """An account: an existing `id` is updated, otherwise a new account is opened."""

    id = _text("Account id; new accounts get one when absent.")
    bank_id = _derived("The bank.")
    type = _text("Account type (new accounts: checking when absent).",
                 validate=validate.OneOf(ACCOUNT_TYPES))
    name = _text("Product name; the bank's product of that type when absent.")
    nickname = _text("The customer's nickname for it.", allow_none=True)
    mask = _text("Last four digits.", validate=validate.Regexp(r"^\d{4}$"))
    currency = _text("Currency.", validate=validate.Equal("USD"))
    status = _text("`open` or `closed`.", validate=validate.OneOf(("open", "closed")))
    opened_on = Day(metadata={"description": "Opening day."})
    routing_number = _derived("The bank's routing number.")
    credit_limit = Money(allow_none=True, metadata={"description": "Cards: the credit limit."})
    statement_day = fields.Integer(allow_none=True, validate=validate.Range(1, 28),
                                   metadata={"description": "Cards: the statement day."})
    minimum_payment = _derived("Cards: the last statement's minimum payment.")
    payment_due_on = _derived("Cards: the last statement's due day.")
    balances = fields.Nested(BalancesDocSchema, metadata={"description": "Balances to arrive at."})
    replace_transactions = fields.Boolean(load_default=False, metadata={
        "description": "Remove the account's existing transactions first."})
    transactions = fields.List(fields.Nested(TransactionDocSchema), load_default=list,
                               metadata={"description": "Transactions to add (or replace by id)."})


class ConsentDocSchema(ma.Schema):
    """An authorized consent with its tokens (answered in the load result)."""

    client_id = _text("The client.", load_default="demo-app")
    scope = _text("Space-separated scopes.", load_default="openid offline_access accounts "
                  "balances transactions receipts shipments identity")
    account_ids = fields.List(_text("An account id of the customer."), load_default=None,
                              allow_none=True, metadata={
        "description": "Accounts in the consent; all the customer's accounts when absent."})
    expires_at = When(load_default=None, metadata={
        "description": "When the consent expires (e.g. `now+P1D`); the bank's maximum when "
                       "absent."})
    transaction_from = Day(load_default=None, metadata={"description": "First day of history."})
    transaction_to = Day(load_default=None, metadata={"description": "Last day of history."})
    purpose = _text("Purpose the client states.", load_default=None, allow_none=True)

    @ma.validates("scope")
    def _scopes(self, value: str, **_kwargs) -> None:
        unknown = sorted(set(value.split()) - set(SCOPES))
        if unknown:
            raise ma.ValidationError(f"Unknown scope {unknown[0]!r}.")


class CustomerSpecSchema(ma.Schema):
    """A customer from a partial spec: every field optional."""

    id = _text("Customer id.")
    username = _text("Login name.", validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{1,80}$"))
    password = _text("Password (new customers: pass_good when absent).", load_only=True)
    profile = _text("New customers only: generate accounts and history like a persona of "
                    "this profile (when no accounts are given).",
                    validate=validate.OneOf(PROFILES))
    name = _text("Full name.")
    email = fields.Email(metadata={"description": "Email address."})
    phone = _text("Phone number.")
    address = fields.Nested(AddressDocSchema, metadata={"description": "Postal address."})
    home = fields.Nested(PointDocSchema, metadata={"description": "Where they live."})
    mfa_required = fields.Boolean(metadata={"description": "Login asks for the one-time code."})
    locked = fields.Boolean(metadata={"description": "Login is refused."})
    accounts = fields.List(fields.Nested(AccountDocSchema), load_default=list,
                           metadata={"description": "Accounts to add or update."})
    consents = fields.List(fields.Nested(ConsentDocSchema), load_default=list,
                           metadata={"description": "Consents to grant (with tokens)."})



class CustomerDocSchema(CustomerSpecSchema):
    """A customer of a scenario: matched by `id` or `username` at the bank, else created."""

    @ma.validates_schema
    def _identified(self, data: dict, **_kwargs) -> None:
        if not data.get("id") and not data.get("username"):
            raise ma.ValidationError("Give the customer's `username` (or `id`).", "username")


class ClientDocSchema(ma.Schema):
    """An OAuth client registered at the bank (matched by `client_id`)."""

    client_id = _text("Client id.", required=True)
    client_secret = _text("Secret (confidential clients).", allow_none=True)
    client_name = _text("Display name.")
    token_endpoint_auth_method = _text(
        "How it authenticates at the token endpoint.",
        validate=validate.OneOf(("client_secret_basic", "client_secret_post", "none")))
    grant_types = fields.List(_text("A grant type."), metadata={"description": "Grant types."})
    response_types = fields.List(_text("A response type."),
                                 metadata={"description": "Response types."})
    redirect_uris = fields.List(_text("A redirect URI."),
                                metadata={"description": "Redirect URIs."})
    scope = _text("Space-separated scopes it may ask for.")


class BrandDocSchema(ma.Schema):
    """A bank's brand; what is left out stays."""

    primary_color = _text("Main colour, #RRGGBB.", validate=validate.Regexp(r"^#[0-9A-Fa-f]{6}$"))
    accent_color = _text("Accent colour, #RRGGBB.", validate=validate.Regexp(r"^#[0-9A-Fa-f]{6}$"))
    tagline = _text("Marketing line.")
    logo_svg = _text("The logo as inline SVG.", validate=validate.Regexp(r"^\s*<svg"))
    logo_url = _derived("Where the logo is served.")


class BankDocSchema(ma.Schema):
    """A bank: an existing `id` is updated, a new one is added (settings copied from the
    first fixture bank for what is left out)."""

    id = _text("Bank id.", required=True, validate=validate.Regexp(r"^[a-z][a-z0-9]{1,31}$"))
    name = _text("Display name.")
    issuer = _derived("Issuer URL.")
    routing_number = _text("ABA routing number.")
    brand = fields.Nested(BrandDocSchema, metadata={"description": "Brand overrides."})
    products = _derived("Products (from the bank fixture).")
    page_size_max = fields.Integer(validate=validate.Range(50, 500),
                                   metadata={"description": "Largest page of the data API."})
    consent_max_days = fields.Integer(validate=validate.Range(1, 3650),
                                      metadata={"description": "Longest consent."})
    mfa_policy = _text("`enrolled` or `always`.", validate=validate.OneOf(("enrolled", "always")))
    customers = fields.List(fields.Nested(CustomerDocSchema), load_default=list,
                            metadata={"description": "Customers to add or update."})
    clients = fields.List(fields.Nested(ClientDocSchema), load_default=list,
                          metadata={"description": "OAuth clients to add or update."})

    @ma.validates("routing_number")
    def _aba(self, value: str, **_kwargs) -> None:
        if not aba_checksum_ok(value):
            raise ma.ValidationError("Not a routing number with a valid ABA checksum.")


class ScenarioSchema(ma.Schema):
    """A scenario document: the export format, partial."""

    name = _text("What the scenario sets up (shown nowhere; for people).")
    description = _text("Longer explanation (for people).")
    seed = _derived("The exported world's seed.")
    as_of = _derived("The exported world's as-of day.")
    banks = fields.List(fields.Nested(BankDocSchema), required=True,
                        validate=validate.Length(min=1),
                        metadata={"description": "Banks to add or update."})
