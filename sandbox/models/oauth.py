"""OAuth 2.0 / OIDC state: clients, codes, tokens, consents, signing keys, pushed requests.

Every piece of protocol state is a row, so any worker on any host can serve any step.
Instants stored as integers are Unix seconds of the sandbox clock (Authlib's convention).
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from authlib.integrations.sqla_oauth2 import (
    OAuth2AuthorizationCodeMixin,
    OAuth2ClientMixin,
    OAuth2TokenMixin,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sandbox import clock
from sandbox.extensions import db
from sandbox.models.banking import Customer
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
    #: Who revoked it: ``customer`` (connected apps), ``client`` (``DELETE {iss}/consents``)
    #: or ``operator`` (the control plane); null until revoked.
    revoked_by: Mapped[str | None] = mapped_column(sa.String(16))
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
        return consent_is_active(self.status, self.expires_at, now)


def consent_is_active(status: str | None, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a consent with this ``status`` and ``expires_at`` lets its tokens work at
    ``now``: authorized and unexpired (the one rule, for rows and for objects)."""
    return status == "authorized" and expires_at is not None and expires_at > now


#: Hosts whose redirect URIs may use any port (RFC 8252 §7.3) and plain http.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _without_loopback_port(uri: str) -> str | None:
    """``uri`` with its port dropped when it is an http loopback URI, else None."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = parts.netloc if port is None else parts.netloc.rpartition(":")[0]
    if parts.scheme != "http" or host not in LOOPBACK_HOSTS:
        return None
    return parts._replace(netloc=host).geturl()


def on_this_server(uri: str) -> str:
    """A registered redirect URI as a client must send it: a path (only seeded clients have
    one, Sandbank Chat's callback; RFC 7591 registration takes absolute URIs only) is on this
    server, at its public URL (``SANDBOX_BASE_URL``, or a trusted Host of the request)."""
    if not uri.startswith("/"):
        return uri
    from sandbox.web.urls import public_base_url  # the request's own server

    return public_base_url() + uri


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Exact string match, except that an http loopback URI matches on any port."""
    if requested == registered:
        return True
    bare = _without_loopback_port(requested)
    return bare is not None and bare == _without_loopback_port(registered)


class OAuthClient(db.Model, OAuth2ClientMixin):
    """A registered client of one bank (demo clients are seeded; others register, RFC 7591)."""

    __tablename__ = "oauth_clients"
    __table_args__ = (sa.UniqueConstraint("bank_id", "client_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    #: True for a client registered through ``{iss}/register`` (RFC 7591): nobody vouched
    #: for its name, so the pages call it an unverified app.
    self_registered: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    @property
    def is_public(self) -> bool:
        """True for a client without a secret (``token_endpoint_auth_method: none``)."""
        return self.token_endpoint_auth_method == "none"

    @property
    def display_name(self) -> str:
        """The name shown to people: ``client_name``, else the client id (also when a
        stored name is not text)."""
        name = self.client_name
        return name.strip() if isinstance(name, str) and name.strip() else self.client_id

    @property
    def website_host(self) -> str | None:
        """The host of ``client_uri``, or None when no usable one was given."""
        uri = self.client_uri
        if not isinstance(uri, str):
            return None
        try:
            return urlsplit(uri.strip()).hostname or None
        except ValueError:
            return None

    @property
    def logo_url(self) -> str | None:
        """``logo_uri`` when it is an https URL (the pages show it as an ``<img>``), else
        None."""
        uri = self.logo_uri
        if not isinstance(uri, str):
            return None
        try:
            parts = urlsplit(uri.strip())
        except ValueError:
            return None
        return parts.geturl() if parts.scheme == "https" and parts.hostname else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """Exact match against a registered URI, with the loopback port rule."""
        return any(redirect_uri_matches(on_this_server(uri), redirect_uri)
                   for uri in self.redirect_uris)

    def get_default_redirect_uri(self) -> str | None:
        """The first registered redirect URI, absolute."""
        return on_this_server(self.redirect_uris[0]) if self.redirect_uris else None

    def check_client_secret(self, client_secret: str) -> bool:
        """Constant-time comparison; a public client has no secret to match."""
        return bool(self.client_secret) and super().check_client_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """A client authenticates at every endpoint (token, revocation, introspection, PAR)
        with its registered ``token_endpoint_auth_method`` only (RFC 7591 §2)."""
        return method == self.token_endpoint_auth_method


class AuthorizationCode(db.Model, OAuth2AuthorizationCodeMixin):
    """A single-use authorization code, bound to client, redirect URI, customer and consent."""

    __tablename__ = "oauth_codes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"))
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.id"))
    consent_id: Mapped[str] = mapped_column(sa.ForeignKey("consents.id"))
    used_at: Mapped[int | None] = mapped_column(sa.Integer)
    issued_at: Mapped[int] = mapped_column(sa.Integer, default=0)

    #: Seconds a code stays redeemable.
    LIFETIME = 60

    def is_expired_at(self, now: datetime) -> bool:
        """True once the code's 60 seconds have passed at ``now``."""
        return self.issued_at + self.LIFETIME <= now.timestamp()

    def is_expired(self) -> bool:
        """Authlib's expiry check, on the sandbox clock."""
        return self.is_expired_at(clock.now())


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

    def is_expired_at(self, now: datetime) -> bool:
        """True once the access token's lifetime has passed at ``now``."""
        return bool(self.expires_in) and self.issued_at + self.expires_in <= now.timestamp()

    def is_expired(self) -> bool:
        """Authlib's expiry check, on the sandbox clock."""
        return self.is_expired_at(clock.now())

    def get_client(self) -> OAuthClient | None:
        """The client the token was issued to."""
        return db.session.scalar(sa.select(OAuthClient).where(
            OAuthClient.bank_id == self.bank_id, OAuthClient.client_id == self.client_id))

    def get_user(self) -> Customer | None:
        """The customer the token acts for (None for client-credentials tokens)."""
        return db.session.get(Customer, self.customer_id) if self.customer_id else None

    def refresh_is_active(self, now: datetime) -> bool:
        """True while the refresh token is unrevoked, unexpired and its consent active."""
        if not self.refresh_token or self.refresh_token_revoked_at:
            return False
        if self.refresh_token_expires_at and self.refresh_token_expires_at <= now.timestamp():
            return False
        return self.consent is None or self.consent.is_active(now)


class SigningKey(db.Model):
    """An RSA key a bank signs ID tokens with; retired keys stay published until unused."""

    __tablename__ = "signing_keys"
    __table_args__ = (sa.UniqueConstraint("bank_id", "generation"),)

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.ForeignKey("banks.id"), index=True)
    generation: Mapped[int] = mapped_column(sa.Integer, default=1)
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
