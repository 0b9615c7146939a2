"""Banks as the public listing shows them: policies, brand, test users and demo clients.

This is a sandbox: the test users' passwords and the demo clients' secrets are public.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import catalog
from sandbox.errors import NotFound
from sandbox.models import Bank, Customer, OAuthClient
from sandbox.services import customers
from sandbox.services.customers import ONE_TIME_CODE

#: The password of every generated customer (personas: ``fixtures/personas.yaml``).
GENERATED_PASSWORD = "pass_good"
#: Generated customers are named ``customer_00001``, ``customer_00002``, ...
GENERATED_PREFIX = "customer_"
#: Where the landing page's "try the consent flow" links send the code (any port matches).
DEMO_REDIRECT_URI = "http://127.0.0.1/callback"
#: What those links ask for: everything a read-only integration reads.
DEMO_SCOPE = "openid profile accounts balances transactions receipts shipments"
#: Why they ask, as the consent page shows it.
DEMO_PURPOSE = ("Show your balances, recent transactions, receipts and parcel deliveries "
                "in a chat, when you ask")


def issuer_url(base_url: str, bank_id: str) -> str:
    """The bank's OAuth 2.0 / OpenID Connect issuer: ``{base}/banks/{bank_id}``."""
    return f"{base_url}/banks/{bank_id}"


def logo_url(issuer: str) -> str:
    """Where the bank of ``issuer`` serves its logo (an SVG document)."""
    return f"{issuer}/logo.svg"


@dataclass(frozen=True)
class Policy:
    """What a bank allows, as its row holds it (a scenario may have changed the fixture's)."""

    page_size_max: int
    consent_max_days: int
    mfa_policy: str


def policy(session: Session, bank_id: str) -> Policy:
    """The policy of ``bank_id``, read from its row; :class:`~sandbox.errors.NotFound` when
    there is no such bank."""
    settings = session.scalar(sa.select(Bank.settings).where(Bank.id == bank_id))
    if settings is None:
        raise NotFound(f"there is no bank {bank_id!r}")
    return Policy(page_size_max=int(settings["page_size_max"]),
                  consent_max_days=int(settings["consent_max_days"]),
                  mfa_policy=settings["mfa_policy"])


def list_banks(session: Session) -> list[Bank]:
    """Every bank, in fixture order."""
    return list(session.scalars(sa.select(Bank).order_by(Bank.position, Bank.id)))


def get_bank(session: Session, bank_id: str) -> Bank | None:
    """The bank with this id, or None."""
    return session.get(Bank, bank_id)


def logo_svg(bank: Bank) -> str:
    """The bank's logo as an SVG document."""
    return bank.settings["brand"]["logo_svg"]


def describe(bank: Bank, base_url: str) -> dict:
    """The bank's public description: identity, issuer, brand and policies."""
    settings = bank.settings
    issuer = issuer_url(base_url, bank.id)
    brand = settings["brand"]
    return {
        "id": bank.id,
        "name": bank.name,
        "issuer": issuer,
        "discovery_url": f"{issuer}/.well-known/openid-configuration",
        "routing_number": bank.routing_number,
        "brand": {
            "primary_color": brand["primary_color"],
            "accent_color": brand["accent_color"],
            "logo_url": logo_url(issuer),
            "tagline": brand["tagline"],
        },
        "products": [_product(product) for product in settings["products"]],
        "mfa_policy": settings["mfa_policy"],
        "page_size_max": settings["page_size_max"],
        "consent_max_days": settings["consent_max_days"],
        "token_lifetimes": settings["tokens"],
    }


def _product(product: dict) -> dict:
    return {
        "code": product["code"],
        "type": product["type"],
        "name": product["name"],
        "apy": product.get("apy"),
        "apr": product.get("apr"),
        "credit_limits": product.get("credit_limits") or [],
    }


def describe_in_full(session: Session, bank: Bank, base_url: str) -> dict:
    """``describe`` plus the bank's test users, generated customers and demo clients."""
    return {
        **describe(bank, base_url),
        "test_users": personas_of(session, bank),
        "generated_customers": generated_customers(session, bank),
        "demo_clients": demo_clients(session, bank),
    }


def personas_of(session: Session, bank: Bank) -> list[dict]:
    """The personas of ``bank`` with their credentials, in fixture order."""
    fixtures = {persona["username"]: persona for persona in catalog.personas()}
    users = []
    for customer in customers.test_users(session, bank.id):
        fixture = fixtures.get(customer.persona, {})
        asks_code = customers.needs_one_time_code(bank, customer)
        users.append({
            "username": customer.username,
            "password": fixture.get("password", GENERATED_PASSWORD),
            "one_time_code": ONE_TIME_CODE if asks_code else None,
            "locked": customer.locked,
            "description": fixture.get("description", ""),
        })
    return users


def generated_customers(session: Session, bank: Bank) -> dict:
    """How many generated customers ``bank`` has, and their usernames."""
    first, last, count = session.execute(
        sa.select(sa.func.min(Customer.username), sa.func.max(Customer.username),
                  sa.func.count())
        .where(Customer.bank_id == bank.id, Customer.persona.is_(None),
               Customer.username.startswith(GENERATED_PREFIX))
    ).one()
    return {
        "count": count,
        "first_username": first,
        "last_username": last,
        "password": GENERATED_PASSWORD,
        "note": "Generated customers have the same password and the bank's usual MFA policy; "
                "their data is synthetic and deterministic for a given seed.",
    }


def demo_clients(session: Session, bank: Bank) -> list[dict]:
    """The demo OAuth clients (``fixtures/clients.yaml``) registered at ``bank``, secrets
    included."""
    published = {fixture["client_id"]: fixture["client_secret"] for fixture in catalog.clients()}
    clients = session.scalars(
        sa.select(OAuthClient)
        .where(OAuthClient.bank_id == bank.id, OAuthClient.client_id.in_(list(published)))
        .order_by(OAuthClient.client_id)
    )
    return [{
        "client_id": client.client_id,
        "client_name": client.display_name,
        "client_secret": published[client.client_id],
        "token_endpoint_auth_method": client.token_endpoint_auth_method,
        "redirect_uris": list(client.redirect_uris),
        "grant_types": list(client.grant_types),
        "scope": client.scope,
    } for client in clients]


def demo_authorize_url(issuer: str, code_challenge: str, state: str) -> str:
    """An authorization request of ``demo-public`` (PKCE S256) at the bank of ``issuer``,
    stating :data:`DEMO_PURPOSE`."""
    query = urlencode({
        "response_type": "code",
        "client_id": "demo-public",
        "redirect_uri": DEMO_REDIRECT_URI,
        "scope": DEMO_SCOPE,
        "purpose": DEMO_PURPOSE,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    })
    return f"{issuer}/authorize?{query}"


def persona_logins(details: list[dict]) -> list[dict]:
    """One row per persona across the banks of ``details`` (``describe_in_full`` answers),
    with the names of the banks that ask it for the one-time code."""
    rows: dict[str, dict] = {}
    for detail in details:
        for user in detail["test_users"]:
            row = rows.setdefault(user["username"], {**user, "code_at": []})
            if user["one_time_code"]:
                row["code_at"].append(detail["name"])
    for row in rows.values():
        row["code_everywhere"] = len(row["code_at"]) == len(details)
    return list(rows.values())
