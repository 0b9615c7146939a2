"""Schemas of the public bank listing (``/banks``)."""
import marshmallow as ma


class BrandSchema(ma.Schema):
    """How the bank looks on its login and consent pages."""

    primary_color = ma.fields.String(metadata={"description": "Main brand colour, `#RRGGBB`.",
                                               "example": "#0B4F6C"})
    accent_color = ma.fields.String(metadata={"description": "Accent colour, `#RRGGBB`.",
                                              "example": "#20BF9F"})
    logo_url = ma.fields.String(metadata={"description": "URL of the bank's SVG logo."})
    tagline = ma.fields.String(metadata={"description": "The bank's slogan."})


class ProductSchema(ma.Schema):
    """An account product the bank offers."""

    code = ma.fields.String(metadata={"description": "Product code, unique within the bank."})
    type = ma.fields.String(metadata={
        "description": "Account type the product opens: `checking`, `savings`, `credit_card`, "
                       "`loan` or `mortgage`."})
    name = ma.fields.String(metadata={"description": "Marketing name of the product."})
    apy = ma.fields.String(allow_none=True, metadata={
        "description": "Annual percentage yield of a deposit product, percent as a decimal "
                       "string; null when it pays none."})
    apr = ma.fields.String(allow_none=True, metadata={
        "description": "Annual percentage rate of a card or loan, percent as a decimal string; "
                       "null for deposit products."})
    credit_limits = ma.fields.List(ma.fields.String(), metadata={
        "description": "Credit limits the bank grants on this card, decimal strings in USD; "
                       "empty for other products."})


class TokenLifetimesSchema(ma.Schema):
    """How long the bank's tokens live."""

    access_token_seconds = ma.fields.Integer(metadata={
        "description": "Lifetime of an access token, in seconds."})
    refresh_token_days = ma.fields.Integer(metadata={
        "description": "Lifetime of a refresh token, in days."})
    id_token_seconds = ma.fields.Integer(metadata={
        "description": "Lifetime of an ID token, in seconds."})


class BankSchema(ma.Schema):
    """A fictional bank and the policies an integration must cope with."""

    id = ma.fields.String(metadata={"description": "Bank id, used in every URL of the bank.",
                                    "example": "harborline"})
    name = ma.fields.String(metadata={"description": "Display name."})
    issuer = ma.fields.String(metadata={
        "description": "OAuth 2.0 / OpenID Connect issuer: `{base}/banks/{id}`."})
    discovery_url = ma.fields.String(metadata={
        "description": "The issuer's OpenID Connect discovery document."})
    routing_number = ma.fields.String(metadata={
        "description": "ABA routing number (nine digits, valid checksum)."})
    brand = ma.fields.Nested(BrandSchema, metadata={"description": "Colours, logo and tagline."})
    products = ma.fields.List(ma.fields.Nested(ProductSchema),
                              metadata={"description": "Account products the bank offers."})
    mfa_policy = ma.fields.String(metadata={
        "description": "When login asks for a one-time code: `always`, or `enrolled` (only "
                       "customers enrolled in MFA, such as `user_mfa`). The code is `123456`."})
    page_size_max = ma.fields.Integer(metadata={
        "description": "Largest `limit` the bank's list endpoints accept."})
    consent_max_days = ma.fields.Integer(metadata={
        "description": "Longest consent the bank grants, in days."})
    token_lifetimes = ma.fields.Nested(TokenLifetimesSchema,
                                       metadata={"description": "How long tokens live."})


class BankListSchema(ma.Schema):
    """Every bank of the sandbox."""

    banks = ma.fields.List(ma.fields.Nested(BankSchema),
                           metadata={"description": "The banks, in a stable order."})


class PersonaLoginSchema(ma.Schema):
    """A persona's login at this bank. Sandbox credentials: public on purpose."""

    username = ma.fields.String(metadata={"description": "Login name.", "example": "user_good"})
    password = ma.fields.String(metadata={"description": "Login password."})
    one_time_code = ma.fields.String(allow_none=True, metadata={
        "description": "One-time code this user is asked for at this bank; null when none is "
                       "asked."})
    locked = ma.fields.Boolean(metadata={"description": "True when login is refused."})
    description = ma.fields.String(metadata={"description": "What the persona is for."})


class GeneratedCustomersSchema(ma.Schema):
    """The generated customers of the bank, on top of the personas."""

    count = ma.fields.Integer(metadata={"description": "How many there are."})
    first_username = ma.fields.String(allow_none=True, metadata={
        "description": "Username of the first one (`customer_00001`); null when there are none."})
    last_username = ma.fields.String(allow_none=True, metadata={
        "description": "Username of the last one; null when there are none."})
    password = ma.fields.String(metadata={"description": "Password shared by all of them."})
    note = ma.fields.String(metadata={"description": "How to use them."})


class DemoClientSchema(ma.Schema):
    """An OAuth client registered at this bank for demos and tests. Public on purpose."""

    client_id = ma.fields.String(metadata={"description": "OAuth `client_id`.",
                                           "example": "demo-app"})
    client_name = ma.fields.String(metadata={"description": "Name shown on the consent page."})
    client_secret = ma.fields.String(allow_none=True, metadata={
        "description": "Client secret of a confidential client; null for a public client."})
    token_endpoint_auth_method = ma.fields.String(metadata={
        "description": "How the client authenticates at the token endpoint: "
                       "`client_secret_basic`, `client_secret_post` or `none` (public, PKCE)."})
    redirect_uris = ma.fields.List(ma.fields.String(), metadata={
        "description": "Registered redirect URIs. For `http://localhost` and `http://127.0.0.1` "
                       "any port matches (RFC 8252 §7.3); everything else must match exactly. A path "
                       "(Sandbank Chat's `/demo/chat/callback`) is on this server, at its "
                       "public URL."})
    grant_types = ma.fields.List(ma.fields.String(),
                                 metadata={"description": "Grant types the client may use."})
    scope = ma.fields.String(metadata={"description": "Scopes the client may ask for."})


class BankDetailSchema(BankSchema):
    """A bank with its test users and demo clients."""

    test_users = ma.fields.List(ma.fields.Nested(PersonaLoginSchema), metadata={
        "description": "The personas present at every bank, with their credentials."})
    generated_customers = ma.fields.Nested(GeneratedCustomersSchema, metadata={
        "description": "The generated customers (`customer_00001`, ...)."})
    demo_clients = ma.fields.List(ma.fields.Nested(DemoClientSchema), metadata={
        "description": "The demo OAuth clients registered at this bank."})
