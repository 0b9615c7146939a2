"""What the authorization server writes: codes, tokens, and the revocations that protect them.

Codes and refresh tokens are consumed with a conditional UPDATE, so two workers redeeming the
same one at once cannot both succeed. A second redemption of a code revokes every token the
first one issued (RFC 6749 §4.1.2); replaying a rotated refresh token revokes the live tokens
of its family (RFC 9700 §4.14).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import InvalidGrantError
from flask import g
from sqlalchemy.orm import Session

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import AuthorizationCode, Bank, Consent, Customer, Token
from sandbox.services import consents

SECONDS_PER_DAY = 86_400
#: Characters of an access or refresh token.
TOKEN_LENGTH = 48


@dataclass
class Approval:
    """A customer's decision to grant an authorization request (Authlib's grant user): who,
    which accounts, the consent created beforehand if any, and when and how they signed in."""

    customer: Customer
    consent: Consent | None
    account_ids: list[str]
    auth_time: int
    amr: list[str] = field(default_factory=lambda: ["pwd"])


def now_seconds() -> int:
    """The sandbox clock in Unix seconds (Authlib's integer instants)."""
    return int(clock.now().timestamp())


def save_code(code: str, oauth_request, approval: Approval) -> AuthorizationCode:
    """Authorize the consent (or amend an authorized one, revoking its earlier tokens) and
    store a fresh code bound to client, redirect URI, customer and consent."""
    data = oauth_request.payload.data
    amended = approval.consent is not None and approval.consent.status == "authorized"
    consent = consents.authorize(db.session, approval.consent, g.bank,
                                 oauth_request.client.client_id, approval.customer,
                                 oauth_request.scope, approval.account_ids, now=clock.now(),
                                 purpose=data.get("purpose"))
    if amended:  # a CDR arrangement amended: its earlier tokens end with it
        revoke_tokens(Token.consent_id == consent.id)
    db.session.flush()
    row = AuthorizationCode(
        code=code, bank_id=g.bank.id, client_id=oauth_request.client.client_id,
        redirect_uri=oauth_request.payload.redirect_uri, response_type="code",
        scope=oauth_request.scope, nonce=data.get("nonce"),
        code_challenge=data.get("code_challenge"),
        code_challenge_method=data.get("code_challenge_method"),
        auth_time=approval.auth_time, amr=" ".join(approval.amr),
        customer_id=approval.customer.id, consent_id=consent.id,
        issued_at=now_seconds(),
    )
    db.session.add(row)
    return row


def find_code(code: str, client) -> AuthorizationCode | None:
    """The unused, unexpired code issued to ``client``; a used code revokes what it issued."""
    row = db.session.scalar(sa.select(AuthorizationCode).where(
        AuthorizationCode.bank_id == g.bank.id, AuthorizationCode.code == code,
        AuthorizationCode.client_id == client.client_id))
    if row is None:
        return None
    if row.used_at is not None:
        _refuse_reuse(row.id)
    if row.is_expired_at(clock.now()):
        raise InvalidGrantError("The authorization code has expired (codes live 60 seconds).")
    return row


def consume_code(row: AuthorizationCode) -> None:
    """Mark the code used, in the same transaction as the tokens it buys; if another request
    consumed it first, undo and treat this one as a reuse."""
    code_id = row.id
    claimed = db.session.execute(
        sa.update(AuthorizationCode)
        .where(AuthorizationCode.id == code_id, AuthorizationCode.used_at.is_(None))
        .values(used_at=now_seconds())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        _refuse_reuse(code_id)


def _refuse_reuse(code_id: int) -> None:
    """Revoke what the code issued and refuse: the token endpoint answers the error, and the
    request's unit of work commits the revocation with it."""
    revoke_tokens(Token.code_id == code_id)
    raise InvalidGrantError("The authorization code was already used; the tokens issued "
                            "for it have been revoked.")


def nonce_used(client_id: str, nonce: str) -> bool:
    """Whether a code was already issued to the client for this nonce (replay)."""
    return db.session.scalar(sa.select(sa.exists().where(
        AuthorizationCode.bank_id == g.bank.id, AuthorizationCode.client_id == client_id,
        AuthorizationCode.nonce == nonce)))


def new_token_string() -> str:
    """A fresh access or refresh token: 48 random characters."""
    return generate_token(TOKEN_LENGTH)


def store_token(session: Session, bank: Bank, client_id: str, *, access_token: str,
                refresh_token: str | None, scope: str, expires_in: int, issued_at: int,
                customer_id: str | None, consent_id: str | None, code_id: int | None = None,
                parent_id: int | None = None, token_type: str = "Bearer") -> Token:
    """Add the row of an issued token (its refresh token living the bank's
    ``refresh_token_days``) to ``session`` and flush it: the one place a token row is made,
    by the token endpoint and by minting."""
    refresh_days = int(bank.settings["tokens"]["refresh_token_days"])
    row = Token(
        bank_id=bank.id, client_id=client_id, token_type=token_type,
        access_token=access_token, refresh_token=refresh_token, scope=scope,
        expires_in=expires_in, issued_at=issued_at, customer_id=customer_id,
        consent_id=consent_id, code_id=code_id, parent_id=parent_id,
        refresh_token_expires_at=(issued_at + refresh_days * SECONDS_PER_DAY
                                  if refresh_token else None),
    )
    session.add(row)
    session.flush()
    return row


def save_token(token: dict, oauth_request) -> Token:
    """Store an issued token, bound to the consent and customer of the code or refresh token
    it was obtained with (client-credentials tokens have neither)."""
    code = oauth_request.authorization_code
    parent = oauth_request.refresh_token
    source = code or parent
    return store_token(
        db.session, g.bank, oauth_request.client.client_id, token_type=token["token_type"],
        access_token=token["access_token"], refresh_token=token.get("refresh_token"),
        scope=token.get("scope", ""), expires_in=token.get("expires_in", 0),
        issued_at=now_seconds(),
        customer_id=source.customer_id if source else None,
        consent_id=source.consent_id if source else None,
        code_id=code.id if code else (parent.code_id if parent else None),
        parent_id=parent.id if parent else None)


def find_token(token_string: str) -> Token | None:
    """The bank's token whose access or refresh token is ``token_string``."""
    return db.session.scalar(sa.select(Token).where(
        Token.bank_id == g.bank.id,
        sa.or_(Token.access_token == token_string, Token.refresh_token == token_string)))


def find_refresh_token(token_string: str, client) -> Token | None:
    """The client's live refresh token; replaying a rotated one revokes its family."""
    row = db.session.scalar(sa.select(Token).where(
        Token.bank_id == g.bank.id, Token.client_id == client.client_id,
        Token.refresh_token == token_string))
    if row is None:
        return None
    if row.refresh_token_revoked_at and _was_rotated(row.id):
        _refuse_replay(row)
    return row if row.refresh_is_active(clock.now()) else None


def _was_rotated(token_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Token.parent_id == token_id)))


def retire_refresh_token(row: Token) -> None:
    """Revoke the refresh token just rotated, unless another request rotated it first: then
    undo this rotation and treat it as a replay."""
    rotated = db.session.execute(
        sa.update(Token)
        .where(Token.id == row.id, Token.refresh_token_revoked_at == 0)
        .values(refresh_token_revoked_at=now_seconds())
        .execution_options(synchronize_session=False))
    if rotated.rowcount != 1:
        db.session.rollback()
        _refuse_replay(row)


def _refuse_replay(row: Token) -> None:
    """Revoke the family of ``row`` and refuse (committed with the error answer)."""
    revoke_tokens(_family(row))
    raise InvalidGrantError("The refresh token was already used; the tokens issued from it "
                            "have been revoked.")


def _family(row: Token):
    """Tokens sharing the grant of ``row``: its code's, else ``row`` itself and its
    descendants."""
    if row.code_id is not None:
        return Token.code_id == row.code_id
    ids, frontier = {row.id}, {row.id}
    while frontier:
        frontier = set(db.session.scalars(
            sa.select(Token.id).where(Token.parent_id.in_(frontier)))) - ids
        ids |= frontier
    return Token.id.in_(ids)


def revoke_tokens(condition) -> None:
    """Revoke the access and refresh tokens of every token matching ``condition``."""
    now = now_seconds()
    db.session.execute(
        sa.update(Token).where(condition, Token.access_token_revoked_at == 0)
        .values(access_token_revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(Token).where(condition, Token.refresh_token_revoked_at == 0)
        .values(refresh_token_revoked_at=now).execution_options(synchronize_session=False))


def revoke(row: Token, token_string: str) -> None:
    """RFC 7009: revoking an access token revokes it; revoking a refresh token revokes the
    whole grant it belongs to."""
    if token_string == row.refresh_token:
        revoke_tokens(_family(row))
    else:
        revoke_tokens(Token.id == row.id)
