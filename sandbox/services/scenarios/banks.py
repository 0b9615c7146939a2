"""Banks and OAuth clients of a scenario: a new bank is added as seeding adds one (the first
bank fixture's products and policies, the demo clients); a new client is registered with the
metadata of the demo client of its kind (confidential or public)."""
from __future__ import annotations

import sqlalchemy as sa

from sandbox import catalog
from sandbox.models import Bank, OAuthClient
from sandbox.services.scenarios.loader import Loader
from sandbox.services.seeding import add_bank, client_metadata

#: Bank settings a scenario may change.
POLICIES = ("page_size_max", "consent_max_days", "mfa_policy")
#: Client metadata a scenario may set.
CLIENT_METADATA = ("client_name", "token_endpoint_auth_method", "grant_types",
                   "response_types", "redirect_uris", "scope")


def apply_bank(load: Loader, doc: dict, path: str, customer) -> None:
    """Add or update the bank of ``doc``, then its clients and (with ``customer``, the
    function applying one customer) its customers."""
    session = load.session
    bank = session.get(Bank, doc["id"])
    if bank is None:
        if not doc.get("name") or not doc.get("routing_number"):
            load.error(f"{path}.name", "A new bank needs `name` and `routing_number`.")
            return
        position = session.scalar(sa.select(sa.func.count()).select_from(Bank))
        template = catalog.banks()[0]
        bank = add_bank(session, {**template, "id": doc["id"], "name": doc["name"],
                                  "routing_number": doc["routing_number"]},
                        position, issued_at=load.now)
        load.counts["clients"] += len(catalog.clients())
    settings = dict(bank.settings)
    for key in POLICIES:
        if key in doc:
            settings[key] = doc[key]
    if "brand" in doc:
        brand = {k: v for k, v in doc["brand"].items() if k != "logo_url"}
        settings["brand"] = {**settings.get("brand", {}), **brand}
    bank.settings = settings
    bank.name = doc.get("name", bank.name)
    bank.routing_number = doc.get("routing_number", bank.routing_number)
    load.counts["banks"] += 1
    for index, client in enumerate(doc["clients"]):
        apply_client(load, bank, client, f"{path}.clients[{index}]")
    for index, person in enumerate(doc["customers"]):
        customer(load, bank, person, f"{path}.customers[{index}]")


def apply_client(load: Loader, bank: Bank, doc: dict, path: str) -> None:
    """Register the client of ``doc`` at ``bank``, or update its metadata and secret."""
    session = load.session
    row = session.scalar(sa.select(OAuthClient).where(
        OAuthClient.bank_id == bank.id, OAuthClient.client_id == doc["client_id"]))
    metadata = dict(row.client_metadata) if row is not None else {}
    secret = doc.get("client_secret", row.client_secret if row is not None else None)
    if row is None:
        metadata = {**demo_metadata(confidential=bool(secret)), "client_name": doc["client_id"]}
        row = OAuthClient(bank_id=bank.id, client_id=doc["client_id"],
                          client_id_issued_at=int(load.now.timestamp()),
                          client_secret_expires_at=0)
        session.add(row)
    for key in CLIENT_METADATA:
        if key in doc:
            metadata[key] = doc[key]
    public = metadata["token_endpoint_auth_method"] == "none"
    if public == bool(secret):
        load.error(f"{path}.client_secret", "A secret exactly when the client is "
                                            "confidential (auth method not `none`).")
    row.client_secret = secret or None
    row.set_client_metadata(metadata)
    load.counts["clients"] += 1


def demo_metadata(*, confidential: bool) -> dict:
    """The metadata of the first demo client (``fixtures/clients.yaml``) of that kind."""
    demo = next(client for client in catalog.clients()
                if (client["token_endpoint_auth_method"] != "none") == confidential)
    return client_metadata(demo)
