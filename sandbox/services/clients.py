"""OAuth clients of a bank: look-up and dynamic registration (RFC 7591)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.models import OAuthClient


def find_client(session: Session, bank_id: str, client_id: str | None) -> OAuthClient | None:
    """The client ``client_id`` registered at ``bank_id``, or None."""
    if not client_id:
        return None
    return session.scalar(
        sa.select(OAuthClient).where(OAuthClient.bank_id == bank_id,
                                     OAuthClient.client_id == client_id))


def register_client(session: Session, bank_id: str, client_info: dict, metadata: dict) -> OAuthClient:
    """Store a dynamically registered client (marked ``self_registered``); the caller
    commits."""
    client = OAuthClient(
        bank_id=bank_id,
        self_registered=True,
        client_id=client_info["client_id"],
        client_secret=client_info.get("client_secret"),
        client_id_issued_at=client_info["client_id_issued_at"],
        client_secret_expires_at=client_info["client_secret_expires_at"],
    )
    client.set_client_metadata(metadata)
    session.add(client)
    return client
