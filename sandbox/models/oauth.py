"""OAuth 2.0 / OIDC state: clients, codes, tokens, consents, signing keys, pushed requests.

Every piece of protocol state is a row, so any worker on any host can serve any step.
Instants stored as integers are Unix seconds of the sandbox clock (Authlib's convention).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sandbox.extensions import db
from sandbox.models.types import UTCDateTime


class Consent(db.Model):
    """What a customer allowed a client to read, for how long, and its lifecycle status."""

    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    client_id: Mapped[str] = mapped_column(sa.String(48), index=True)
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    account_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(24), default="awaiting_authorization")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    authorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transaction_from: Mapped[date | None] = mapped_column(sa.Date)
    transaction_to: Mapped[date | None] = mapped_column(sa.Date)

    @property
    def scopes(self) -> set[str]:
        """The granted scopes as a set."""
        return set((self.scope or "").split())

    def effective_status(self, now: datetime) -> str:
        """The status at ``now``: an authorized consent past ``expires_at`` is ``expired``."""
        if self.status == "authorized" and self.expires_at <= now:
            return "expired"
        return self.status

    def is_active(self, now: datetime) -> bool:
        """True while the consent is authorized and unexpired."""
        return self.effective_status(now) == "authorized"


class OAuthClient(db.Model, OAuth2ClientMixin):
    """A registered client of one bank (demo clients are seeded; others register, RFC 7591)."""

    __tablename__ = "oauth_clients"
    __table_args__ = (sa.UniqueConstraint("bank_id", "client_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)


class AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):
    """A single-use authorization code, bound to client, redirect URI, customer and consent."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"))
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"))
    consent_id: Mapped[str] = mapped_column(sa.ForeignKey("consents.id"))
    used_at: Mapped[int | None] = mapped_column(sa.Integer)


class Token(db.Model, OAuth2TokenMixin):
    """An access token (and its refresh token), bound to exactly one consent when it has a
    customer; client-credentials tokens have neither."""

    __tablename__ = "oauth_tokens"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("customers.id"))
    consent_id: Mapped[str | None] = mapped_column(sa.ForeignKey("consents.id"), index=True)
    code_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    refresh_token_expires_at: Mapped[int | None] = mapped_column(sa.Integer)

    consent: Mapped[Consent | None] = relationship(lazy="joined")

    def is_active(self, now: datetime) -> bool:
        """True while the access token is unrevoked, unexpired and its consent active."""
        if self.access_token_revoked_at:
            return False
        if self.expires_in and self.issued_at + self.expires_in <= now.timestamp():
            return False
        return self.consent is None or self.consent.is_active(now)


class SigningKey(db.Model):
    """An RSA key a bank signs ID tokens with; retired keys stay published until unused."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    private_jwk: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushedRequest(db.Model):
    """A pushed authorization request (RFC 9126): single-use, short-lived, bound to a client."""

    __tablename__ = "pushed_requests"

    request_uri: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"))
    client_id: Mapped[str] = mapped_column(sa.String(48))
    params: Mapped[dict] = mapped_column(sa.JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
