"""RFC 8414 §3 metadata address: the well-known segment goes between the host and the
issuer's path, ``/.well-known/oauth-authorization-server/banks/{bank_id}``."""
from __future__ import annotations

from flask_smorest import Blueprint

from sandbox.bankpages import load_bank
from sandbox.oauth.metadata import provider_metadata
from sandbox.oauth.schemas import ProviderMetadataSchema
from sandbox.oauth.views import PUBLIC_CACHE

blp = Blueprint("oauth_metadata", __name__,
                url_prefix="/.well-known/oauth-authorization-server/banks/<bank_id>",
                description="RFC 8414 authorization server metadata of each bank.")
blp.url_value_preprocessor(load_bank)


@blp.route("")
@blp.response(200, ProviderMetadataSchema)
def metadata():
    """RFC 8414 metadata of the bank: the bank's OpenID Connect discovery document."""
    return provider_metadata(), 200, PUBLIC_CACHE
