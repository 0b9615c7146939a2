"""The fixtures (``sandbox/fixtures``): banks, personas, merchants, cities, demo clients.

Each file is validated with marshmallow when first read; a broken fixture fails loudly with
the file name and the offending fields. Results are cached for the life of the process.
"""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.resources.abc import Traversable

import marshmallow as ma
import yaml
from marshmallow import fields, validate

from sandbox.vocabulary import ACCOUNT_TYPES, CATEGORIES, SCOPES



class FixtureError(ValueError):
    """A fixture file is missing or does not validate."""


def aba_checksum_ok(routing_number: str) -> bool:
    """True when ``routing_number`` is nine digits with a valid ABA checksum."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    digits = [int(c) for c in routing_number]
    weighted = sum(weight * digit for weight, digit in zip((3, 7, 1) * 3, digits))
    return weighted % 10 == 0


def _routing_number(text: str) -> None:
    if not aba_checksum_ok(text):
        raise ma.ValidationError("Not a routing number with a valid ABA checksum.")


def non_negative_decimal(text: str) -> None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ma.ValidationError("Not a decimal number.") from None
    if not value.is_finite() or value < 0:
        raise ma.ValidationError("Must be a non-negative decimal number.")


def money(description: str, **kwargs) -> fields.String:
    """A non-negative decimal kept as its string (fixtures stay JSON-serialisable)."""
    return fields.String(validate=non_negative_decimal, metadata={"description": description},
                         **kwargs)


def price_range(description: str, **kwargs) -> fields.List:
    """A ``[min, max]`` pair of decimal strings."""
    return fields.List(money("A bound."), validate=validate.Length(equal=2),
                       metadata={"description": description}, **kwargs)


class BrandSchema(ma.Schema):
    primary_color = fields.String(required=True, validate=validate.Regexp(r"^#[0-9A-Fa-f]{6}$"),
                                  metadata={"description": "Main brand colour, #RRGGBB."})
    accent_color = fields.String(required=True, validate=validate.Regexp(r"^#[0-9A-Fa-f]{6}$"),
                                 metadata={"description": "Accent colour, #RRGGBB."})
    tagline = fields.String(required=True, metadata={"description": "Marketing line."})
    logo_svg = fields.String(required=True, validate=validate.Regexp(r"^\s*<svg"),
                             metadata={"description": "The logo as inline SVG."})


class ProductSchema(ma.Schema):
    code = fields.String(required=True, metadata={"description": "Product code, unique per bank."})
    type = fields.String(required=True, validate=validate.OneOf(ACCOUNT_TYPES),
                         metadata={"description": "Account type the product opens."})
    name = fields.String(required=True, metadata={"description": "Marketing name."})
    apr = money("Annual percentage rate (cards, loans, mortgages).", load_default=None)
    apy = money("Annual percentage yield (savings).", load_default=None)
    credit_limits = fields.List(money("A limit."), load_default=None,
                                metadata={"description": "Credit limits offered (cards)."})

    @ma.validates_schema
    def _rates(self, data, **_):
        if data["type"] in ("credit_card", "loan", "mortgage") and data["apr"] is None:
            raise ma.ValidationError("required for this product type", "apr")
        if data["type"] == "credit_card" and not data["credit_limits"]:
            raise ma.ValidationError("required for credit cards", "credit_limits")


class TokensSchema(ma.Schema):
    access_token_seconds = fields.Integer(required=True, validate=validate.Range(60, 86_400),
                                          metadata={"description": "Access-token lifetime."})
    refresh_token_days = fields.Integer(required=True, validate=validate.Range(1, 730),
                                        metadata={"description": "Refresh-token lifetime."})
    id_token_seconds = fields.Integer(required=True, validate=validate.Range(60, 86_400),
                                      metadata={"description": "ID-token lifetime."})


class BankSchema(ma.Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9]{1,31}$"),
                       metadata={"description": "Bank id, used in URLs."})
    name = fields.String(required=True, metadata={"description": "Display name."})
    routing_number = fields.String(required=True, validate=_routing_number,
                                   metadata={"description": "ABA routing number."})
    brand = fields.Nested(BrandSchema, required=True,
                          metadata={"description": "Colours, tagline, logo."})
    products = fields.List(fields.Nested(ProductSchema), required=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "Products the bank offers."})
    mfa_policy = fields.String(required=True, validate=validate.OneOf(("enrolled", "always")),
                               metadata={"description": "`always`: every login asks for the "
                                                        "one-time code; `enrolled`: only "
                                                        "customers enrolled in MFA."})
    tokens = fields.Nested(TokensSchema, required=True,
                           metadata={"description": "Token lifetimes."})
    page_size_max = fields.Integer(required=True, validate=validate.Range(50, 500),
                                   metadata={"description": "Largest page the data API serves."})
    consent_max_days = fields.Integer(required=True, validate=validate.Range(1, 3650),
                                      metadata={"description": "Longest consent duration."})

    @ma.validates_schema
    def _products(self, data, **_):
        types = [product["type"] for product in data["products"]]
        for required in ("checking", "savings", "credit_card"):
            if required not in types:
                raise ma.ValidationError(f"a {required} product is required", "products")
        if len(types) != len(set(types)):
            raise ma.ValidationError("one product per account type", "products")


class PersonaSchema(ma.Schema):
    username = fields.String(required=True, metadata={"description": "Login name."})
    description = fields.String(required=True, metadata={"description": "Who this is."})
    profile = fields.String(required=True,
                            validate=validate.OneOf(("regular", "overdrawn", "business", "new")),
                            metadata={"description": "Which activity generator shapes it."})
    password = fields.String(load_default="pass_good", metadata={"description": "Password."})
    mfa_required = fields.Boolean(load_default=False,
                                  metadata={"description": "Login asks for the one-time code."})
    locked = fields.Boolean(load_default=False, metadata={"description": "Login is refused."})


class MerchantSchema(ma.Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^mch_[a-z0-9]+$"),
                       metadata={"description": "Merchant id."})
    name = fields.String(required=True, metadata={"description": "Trading name."})
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES),
                             metadata={"description": "Spending category."})
    mcc = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$"),
                        metadata={"description": "Merchant category code (ISO 18245)."})
    channel = fields.String(required=True, validate=validate.OneOf(("in_store", "online")),
                            metadata={"description": "Where purchases happen."})
    website = fields.String(load_default=None, validate=validate.Regexp(r"^https://[^/]+\.example"),
                            metadata={"description": "Website (online merchants), .example TLD."})
    amount = price_range("Usual ticket when there is no receipt.", load_default=None)
    plans = fields.List(money("A monthly price."), load_default=None,
                        metadata={"description": "Fixed monthly prices (subscriptions, bills)."})
    items = fields.String(load_default=None, metadata={"description": "Item list for receipts."})
    ships = fields.Boolean(load_default=False, metadata={"description": "Online orders ship."})
    tips = fields.Boolean(load_default=False, metadata={"description": "Receipts carry a tip."})

    @ma.validates_schema
    def _consistent(self, data, **_):
        if data["channel"] == "online" and not data["website"]:
            raise ma.ValidationError("online merchants need a website", "website")
        if not data["amount"] and not data["plans"]:
            raise ma.ValidationError("give an amount range or plans", "amount")
        if data["ships"] and not data["items"]:
            raise ma.ValidationError("shipped orders need items", "items")


class ItemSchema(ma.Schema):
    sku = fields.String(required=True, metadata={"description": "Stock-keeping unit."})
    description = fields.String(required=True, metadata={"description": "Receipt line text."})
    price = price_range("Unit price range.", required=True)


class CarrierSchema(ma.Schema):
    name = fields.String(required=True, metadata={"description": "Carrier name."})
    prefix = fields.String(required=True, metadata={"description": "Tracking-number prefix."})
    digits = fields.Integer(required=True, validate=validate.Range(8, 24),
                            metadata={"description": "Digits after the prefix."})
    weight = fields.Integer(required=True, validate=validate.Range(1, 100),
                            metadata={"description": "Relative share of parcels."})


class MerchantCatalogueSchema(ma.Schema):
    merchants = fields.List(fields.Nested(MerchantSchema), required=True,
                            metadata={"description": "The merchants."})
    items = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(ItemSchema)),
                        required=True, metadata={"description": "Item lists by name."})
    carriers = fields.List(fields.Nested(CarrierSchema), required=True,
                           validate=validate.Length(min=1),
                           metadata={"description": "Parcel carriers."})

    @ma.validates_schema
    def _references(self, data, **_):
        ids = [merchant["id"] for merchant in data["merchants"]]
        if len(ids) != len(set(ids)):
            raise ma.ValidationError("merchant ids must be unique", "merchants")
        for merchant in data["merchants"]:
            if merchant["items"] and merchant["items"] not in data["items"]:
                raise ma.ValidationError(f"{merchant['id']}: unknown item list "
                                         f"{merchant['items']!r}", "merchants")


class CitySchema(ma.Schema):
    name = fields.String(required=True, metadata={"description": "City name."})
    region = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"),
                           metadata={"description": "State code."})
    lat = fields.Float(required=True, validate=validate.Range(-90, 90),
                       metadata={"description": "Latitude of the centre."})
    lon = fields.Float(required=True, validate=validate.Range(-180, 180),
                       metadata={"description": "Longitude of the centre."})
    zip_prefix = fields.String(required=True, validate=validate.Regexp(r"^\d{3}$"),
                               metadata={"description": "First three ZIP digits."})
    sales_tax = money("Combined sales-tax rate, percent.", required=True)
    area_code = fields.String(required=True, validate=validate.Regexp(r"^\d{3}$"),
                              metadata={"description": "Telephone area code."})


class ClientSchema(ma.Schema):
    client_id = fields.String(required=True, metadata={"description": "Client id."})
    client_secret = fields.String(load_default=None,
                                  metadata={"description": "Secret (confidential clients)."})
    client_name = fields.String(required=True, metadata={"description": "Display name."})
    token_endpoint_auth_method = fields.String(
        required=True,
        validate=validate.OneOf(("client_secret_basic", "client_secret_post", "none")),
        metadata={"description": "How the client authenticates at the token endpoint."})
    grant_types = fields.List(fields.String(), required=True,
                              metadata={"description": "Grant types allowed."})
    response_types = fields.List(fields.String(), required=True,
                                 metadata={"description": "Response types allowed."})
    redirect_uris = fields.List(fields.Url(require_tld=False, relative=True), required=True,
                                metadata={"description": "Registered redirect URIs; a path "
                                          "(`/demo/chat/callback`) is on the server itself."})
    scope = fields.String(required=True, metadata={"description": "Space-separated scopes."})

    @ma.validates_schema
    def _secret(self, data, **_):
        public = data["token_endpoint_auth_method"] == "none"
        if public == bool(data["client_secret"]):
            raise ma.ValidationError("a secret exactly when the client is confidential",
                                     "client_secret")
        unknown = set(data["scope"].split()) - set(SCOPES)
        if unknown:
            raise ma.ValidationError(f"unknown scopes: {sorted(unknown)}", "scope")


def fixtures_root() -> Traversable:
    """The fixtures folder inside the installed package."""
    return resources.files("sandbox") / "fixtures"


def load_fixture(path: Traversable, schema: ma.Schema, many: bool = False):
    """Read and validate one fixture file; a broken one raises :class:`FixtureError` naming
    the file and the fields."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FixtureError(f"{path}: {error}") from None
    try:
        return schema.load(raw, many=many)
    except ma.ValidationError as error:
        raise FixtureError(f"{path}: {error.messages}") from None


@functools.cache
def banks() -> tuple[dict, ...]:
    """Every bank fixture, validated, in file-name order."""
    folder = fixtures_root() / "banks"
    files = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".yaml")),
                   key=lambda entry: entry.name)
    loaded = tuple(load_fixture(entry, BankSchema()) for entry in files)
    ids = [bank["id"] for bank in loaded]
    if len(ids) != len(set(ids)):
        raise FixtureError(f"{folder}: bank ids must be unique")
    return loaded


@functools.cache
def personas() -> tuple[dict, ...]:
    """The personas present at every bank."""
    return tuple(load_fixture(fixtures_root() / "personas.yaml", PersonaSchema(), many=True))


@functools.cache
def merchant_catalogue() -> dict:
    """``{"merchants": [...], "items": {...}, "carriers": [...]}``."""
    return load_fixture(fixtures_root() / "merchants.yaml", MerchantCatalogueSchema())


@functools.cache
def cities() -> tuple[dict, ...]:
    """Cities customers live in and travel to."""
    return tuple(load_fixture(fixtures_root() / "cities.yaml", CitySchema(), many=True))


@functools.cache
def clients() -> tuple[dict, ...]:
    """The demo OAuth clients registered at every bank."""
    return tuple(load_fixture(fixtures_root() / "clients.yaml", ClientSchema(), many=True))
