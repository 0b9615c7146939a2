"""Account linking, as messaging platforms do it: the person goes to the bank's own
``/authorize`` (authorization code, PKCE S256, ``state``, ``nonce``, a consent stating the
chat's purpose) and comes back to the chat's callback, which redeems the code.

With a developer's bot connected, the chat does not redeem the code: it hands the bot the
code, the PKCE verifier and the redirect URI (:mod:`sandbox.demo.devbot`).
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from sandbox.demo import bank_client
from sandbox.demo.models import Conversation, Link, PendingLink, Subscription
from sandbox.demo.threads import wall_now
from sandbox.errors import BadRequest

#: What the chat may ask for; the person chooses among the data kinds.
BASE_SCOPES = ("openid", "offline_access", "accounts")
DATA_SCOPES = ("balances", "transactions", "receipts", "shipments")
PURPOSE = ("Sandbank Chat answers your questions in the chat: balances, receipts, parcels "
           "and spending, and tells you about new purchases and deliveries.")
#: The events the chat turns into messages.
EVENTS = ("transaction.created", "shipment.updated", "balance.low", "consent.revoked",
          "consent.expired")
#: How long a trip to the bank may take before its ``state`` is refused.
PENDING_LIFETIME = timedelta(minutes=15)


def scope_for(chosen: list[str]) -> str:
    """The scope string for the data kinds the person chose (unknown ones ignored)."""
    return " ".join(BASE_SCOPES + tuple(kind for kind in DATA_SCOPES if kind in chosen))


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def begin(session: Session, conversation: Conversation, bank: dict, scope: str,
          redirect_uri: str) -> str:
    """Create the consent (with the chat's purpose) and the pending link; answer the
    bank's ``/authorize`` URL to send the browser to."""
    issuer = bank["issuer"]
    created = bank_client.call("POST", f"{issuer}/consents",
                               bearer=bank_client.client_token(issuer),
                               json_body={"scope": scope, "purpose": PURPOSE})
    if created.status != 201:
        raise bank_client.classify(created)
    pending = PendingLink(state=secrets.token_urlsafe(24), conversation_id=conversation.id,
                          bank_id=bank["id"], bank_name=bank["name"], issuer=issuer,
                          consent_id=created.body["consent_id"],
                          code_verifier=secrets.token_urlsafe(48),
                          nonce=secrets.token_urlsafe(16), redirect_uri=redirect_uri,
                          created_at=wall_now())
    session.add(pending)
    query = {"response_type": "code", "client_id": bank_client.CLIENT_ID,
             "redirect_uri": redirect_uri, "scope": scope, "state": pending.state,
             "nonce": pending.nonce, "code_challenge": _challenge(pending.code_verifier),
             "code_challenge_method": "S256", "consent_id": pending.consent_id}
    return f"{issuer}/authorize?{urllib.parse.urlencode(query)}"


def take_pending(session: Session, conversation: Conversation | None,
                 state: str | None) -> PendingLink:
    """The pending link ``state`` names, removed (single use). It must belong to this
    browser's conversation and be recent; else 400 naming ``state``."""
    pending = session.get(PendingLink, state) if state else None
    if pending is None or conversation is None or pending.conversation_id != conversation.id:
        raise BadRequest("This link was not started in this chat, or was already used: "
                         "start again from the chat.", field="state", location="query")
    session.delete(pending)
    if wall_now() - pending.created_at > PENDING_LIFETIME:
        raise BadRequest("This link took too long: start again from the chat.", field="state",
                         location="query")
    return pending


def redeem(session: Session, pending: PendingLink, code: str) -> tuple[Link, list[dict]]:
    """Redeem the code (with the PKCE verifier), check the ID token's nonce, read the
    linked accounts; answer the new link and its accounts."""
    tokens = bank_client.token(pending.issuer, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri,
        "code_verifier": pending.code_verifier})
    _check_id_token(pending, tokens.get("id_token"))
    link = Link(conversation_id=pending.conversation_id, bank_id=pending.bank_id,
                bank_name=pending.bank_name, issuer=pending.issuer,
                consent_id=pending.consent_id, scope=tokens.get("scope", ""),
                access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"),
                status="active", created_at=wall_now())
    accounts = bank_client.get(f"{pending.issuer}/v1/accounts", link.access_token,
                               {"limit": 50})["data"]
    session.add(link)
    return link, accounts


def _check_id_token(pending: PendingLink, id_token: str | None) -> None:
    """The ID token is the bank's (its JWKS), for the chat, and carries our nonce."""
    if not id_token:
        raise BadRequest("The bank sent no ID token.", field="code")
    keys = bank_client.call("GET", f"{pending.issuer}/jwks.json").body
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": pending.issuer},
                              aud={"essential": True, "value": bank_client.CLIENT_ID},
                              nonce={"essential": True, "value": pending.nonce},
                              ).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise BadRequest(f"The ID token was refused: {error}.", field="code") from None


def subscribe(session: Session, bank_id: str, issuer: str, receiver: str) -> None:
    """Subscribe the chat to the bank's events once (at the first link to that bank). Older
    subscriptions to the same receiver (a reset emptied their secrets) are deleted first."""
    if session.get(Subscription, bank_id) is not None:
        return
    bearer = bank_client.client_token(issuer)
    listed = bank_client.get(f"{issuer}/v1/webhooks", bearer)
    for old in listed.get("data", []):
        if old.get("url") == receiver:
            bank_client.call("DELETE", f"{issuer}/v1/webhooks/{old['id']}", bearer=bearer)
    created = bank_client.call("POST", f"{issuer}/v1/webhooks", bearer=bearer,
                               json_body={"url": receiver, "events": list(EVENTS)})
    if created.status != 201:
        raise bank_client.classify(created)
    session.add(Subscription(bank_id=bank_id, subscription_id=created.body["id"],
                             secret=created.body["secret"]))


def unlink(link: Link) -> None:
    """Revoke the link's tokens at the bank (RFC 7009; revoking the refresh token ends the
    grant) and mark it unlinked. Raises :class:`BankError` when the bank does not answer."""
    if link.refresh_token:
        bank_client.revoke(link.issuer, link.refresh_token, "refresh_token")
    bank_client.revoke(link.issuer, link.access_token, "access_token")
    link.status = "unlinked"
