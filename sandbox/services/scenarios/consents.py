"""Consents a scenario's customers give, with their tokens."""
from __future__ import annotations

from sandbox.models import Bank
from sandbox.oauth.minting import mint_token
from sandbox.services.clients import find_client
from sandbox.services.scenarios.loader import Loader, Made


def check_consent(load: Loader, bank: Bank, made: Made, doc: dict, path: str) -> None:
    """Record the consent ``doc`` asks ``made`` to give, or an error: an unknown client,
    accounts that are not the customer's."""
    if find_client(load.session, bank.id, doc["client_id"]) is None:
        load.error(f"{path}.client_id", f"No client {doc['client_id']!r} at {bank.id}.")
        return
    owned = {account["id"] for account in made.accounts}
    unknown = sorted(set(doc["account_ids"] or ()) - owned)
    if unknown and made.accounts:
        load.error(f"{path}.account_ids", f"Not {made.username}'s: {', '.join(unknown)}.")
        return
    made.consents.append(doc)


def mint_consents(load: Loader) -> None:
    """Grant the recorded consents, once the document has been applied, with their tokens
    as the token endpoint would have issued them."""
    for made in load.made:
        for doc in made.consents:
            made.minted.append(mint_token(
                load.session, made.bank_id, doc["client_id"], made.username, doc["scope"],
                doc["account_ids"], now=load.now, expires_at=doc["expires_at"],
                transaction_from=doc["transaction_from"],
                transaction_to=doc["transaction_to"], purpose=doc["purpose"]))
            load.counts["consents"] += 1
