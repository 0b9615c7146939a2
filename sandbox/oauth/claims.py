"""OpenID Connect claims about a customer, released by scope (ID token and userinfo)."""
from __future__ import annotations

from authlib.oidc.core import UserInfo

from sandbox.models import Customer


class SandboxUserInfo(UserInfo):
    """Standard claims, with the sandbox's ``identity`` scope releasing contact details."""

    SCOPES_CLAIMS_MAPPING = {
        "openid": ["sub"],
        "profile": ["name", "preferred_username"],
        "identity": ["email", "email_verified", "phone_number", "phone_number_verified",
                     "address"],
    }


#: Every claim a bank can release, for discovery.
CLAIMS_SUPPORTED = [claim for names in SandboxUserInfo.SCOPES_CLAIMS_MAPPING.values()
                    for claim in names]


def subject(customer: Customer) -> str:
    """The ``sub`` of a customer: their id, stable for the customer at this bank."""
    return customer.id


def user_info(customer: Customer, scope: str) -> SandboxUserInfo:
    """The claims ``scope`` releases about ``customer``."""
    return SandboxUserInfo(
        sub=subject(customer),
        name=customer.name,
        preferred_username=customer.username,
        email=customer.email,
        email_verified=True,
        phone_number=customer.phone,
        phone_number_verified=True,
        address={
            "street_address": customer.line1,
            "locality": customer.city,
            "region": customer.region,
            "postal_code": customer.postal_code,
            "country": customer.country,
        },
    ).filter(scope)
