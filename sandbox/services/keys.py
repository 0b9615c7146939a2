"""Signing keys: one RSA key per bank signs ID tokens; rotation keeps retired keys published
until every ID token they signed has expired."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from joserfc.jwk import RSAKey

from sandbox.models import Bank, SigningKey

KEY_SIZE = 2048
ALGORITHM = "RS256"


def _current(session: Session, bank_id: str) -> SigningKey | None:
    return session.scalar(
        sa.select(SigningKey)
        .where(SigningKey.bank_id == bank_id, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.generation.desc())
        .limit(1)
    )


def _new_key(bank_id: str, generation: int, now: datetime) -> SigningKey:
    key = RSAKey.generate_key(KEY_SIZE, private=True)
    return SigningKey(kid=key.thumbprint(), bank_id=bank_id, generation=generation,
                      private_jwk=key.as_dict(private=True), created_at=now)


def active_key(session: Session, bank_id: str, *, now: datetime) -> SigningKey:
    """The bank's current signing key, created on first use (the caller's unit of work
    commits it); a worker that loses the race to create it undoes its savepoint and reads
    the winner's key."""
    key = _current(session, bank_id)
    if key is not None:
        return key
    try:
        with session.begin_nested():
            session.add(_new_key(bank_id, 1, now))
    except sa.exc.IntegrityError:
        pass
    return _current(session, bank_id)


def rotate(session: Session, bank_id: str, *, now: datetime, wall_now: datetime) -> SigningKey:
    """Retire the bank's current key and start signing with a new one. The caller
    commits."""
    current = active_key(session, bank_id, now=now)
    created = _new_key(bank_id, current.generation + 1, now)
    # Wall clock: ID tokens carry wall-clock ``exp`` (sandbox/oauth/protocol_time.py), so the
    # retired key must stay published for their lifetime whatever the sandbox clock does.
    current.retired_at = wall_now
    session.add(created)
    session.flush()
    return created


def id_token_seconds(bank: Bank) -> int:
    """How long the bank's ID tokens live."""
    return int(bank.settings["tokens"]["id_token_seconds"])


def published_keys(session: Session, bank: Bank, *, now: datetime,
                   wall_now: datetime) -> list[SigningKey]:
    """The keys a verifier may need: the current one, and retired ones whose ID tokens can
    still be unexpired by the wall clock."""
    active_key(session, bank.id, now=now)
    horizon = wall_now - timedelta(seconds=id_token_seconds(bank))
    return list(session.scalars(
        sa.select(SigningKey)
        .where(SigningKey.bank_id == bank.id,
               sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > horizon))
        .order_by(SigningKey.generation.desc())
    ))


def public_jwk(key: SigningKey) -> dict:
    """The public half of ``key`` as a JWK."""
    public = RSAKey.import_key(key.private_jwk).as_dict(private=False)
    return {**public, "kid": key.kid, "use": "sig", "alg": ALGORITHM}


def jwks(session: Session, bank: Bank, *, now: datetime, wall_now: datetime) -> dict:
    """The bank's JSON Web Key Set (``now`` the sandbox instant, ``wall_now`` the wall
    clock's, which ID tokens' expiry follows)."""
    return {"keys": [public_jwk(key) for key in
                     published_keys(session, bank, now=now, wall_now=wall_now)]}
