"""Shape of the identity answer: the customer (DESIGN.md §5)."""
import marshmallow as ma

from sandbox.api.common import Schema, text


class AddressSchema(Schema):
    """A postal address."""

    line1 = text("Street address.", "418 Alder Way", required=True)
    city = text("City.", "Portland", required=True)
    region = text("US state, two letters.", "OR", required=True)
    postal_code = text("ZIP code.", "97205", required=True)
    country = text("ISO 3166-1 alpha-2 country code.", "US", required=True)


class HomeSchema(Schema):
    """Approximate coordinates of home."""

    lat = ma.fields.Float(required=True, metadata={"description": "Latitude.",
                                                   "example": 45.5231})
    lon = ma.fields.Float(required=True, metadata={"description": "Longitude.",
                                                   "example": -122.6765})


class IdentitySchema(Schema):
    """Who the person behind the consent is, and how to reach them."""

    id = text("Customer id.", "cus_27c8ceb7c61ec93b", required=True)
    username = text("Sign-in name at the bank.", "user_good", required=True)
    name = text("Full name.", "Jordan Ellis", required=True)
    email = text("Email address.", "jordan.ellis@example.com", required=True)
    phone = text("Phone number.", "+1 503-555-0142", required=True)
    address = ma.fields.Nested(AddressSchema, required=True,
                               metadata={"description": "Home address."})
    home = ma.fields.Nested(HomeSchema, required=True,
                            metadata={"description": "Home coordinates."})
