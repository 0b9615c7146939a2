"""Connected apps (the person's side, ``people/``): every consent a customer gave at a bank,
what each app may see, which accounts, and what it read lately according to the access
log; and removing an app's access."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.errors import NotFound
from sandbox.models import AccessLogEntry, Account, Consent, OAuthClient
from sandbox.services import consents
from sandbox.vocabulary import READ_RESOURCES

#: How far back "recent reads" look.
RECENT = timedelta(days=7)


@dataclass
class Reads:
    """Reads of one kind of data (``words``: "your balances") in the recent window."""

    words: str
    count: int = 0
    today: int = 0
    last_at: datetime | None = None


@dataclass
class Connection:
    """A consent as its customer sees it."""

    consent: Consent
    client: OAuthClient | None
    status: str
    accounts: list[Account]
    last_read: datetime | None
    reads: list[Reads] = field(default_factory=list)

    @property
    def app_name(self) -> str:
        """The app's name (its client id when the client is gone)."""
        return self.client.display_name if self.client else self.consent.client_id


def connections_of(session: Session, bank_id: str, customer_id: str, *,
                   now: datetime) -> tuple[list[Connection], list[Connection]]:
    """The customer's consents at the bank, newest first: those in force, and the history
    (expired, rejected, revoked)."""
    last_read = (sa.select(AccessLogEntry.at).where(AccessLogEntry.consent_id == Consent.id)
                 .order_by(AccessLogEntry.at.desc()).limit(1).scalar_subquery())
    rows = session.execute(
        sa.select(Consent, last_read)
        .where(Consent.bank_id == bank_id, Consent.customer_id == customer_id,
               Consent.status != consents.AWAITING)
        .order_by(Consent.created_at.desc(), Consent.id)).all()
    if not rows:
        return [], []
    clients = {client.client_id: client for client in session.scalars(
        sa.select(OAuthClient).where(OAuthClient.bank_id == bank_id, OAuthClient.client_id.in_(
            {consent.client_id for consent, _ in rows})))}
    accounts = {account.id: account for account in session.scalars(
        sa.select(Account).where(Account.customer_id == customer_id))}
    reads = _recent_reads(session, [consent.id for consent, _ in rows], now=now)
    active: list[Connection] = []
    history: list[Connection] = []
    for consent, last in rows:
        status = consent.effective_status(now)
        connection = Connection(
            consent=consent, client=clients.get(consent.client_id), status=status,
            accounts=[accounts[i] for i in consent.account_ids or [] if i in accounts],
            last_read=last, reads=reads.get(consent.id, []))
        (active if status == "authorized" else history).append(connection)
    return active, history


def _recent_reads(session: Session, consent_ids: list[str], *,
                  now: datetime) -> dict[str, list[Reads]]:
    """Per consent, its reads of the last :data:`RECENT` by kind of data, most recent
    first (one grouped query over the ``(consent_id, at)`` index)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    entry = AccessLogEntry
    rows = session.execute(
        sa.select(entry.consent_id, entry.resource, sa.func.count(),
                  sa.func.sum(sa.case((entry.at >= midnight, 1), else_=0)),
                  sa.func.max(entry.at))
        .where(entry.consent_id.in_(consent_ids), entry.at >= now - RECENT, entry.at <= now)
        .group_by(entry.consent_id, entry.resource))
    found: dict[str, dict[str, Reads]] = {}
    for consent_id, resource, count, today, last_at in rows:
        words = READ_RESOURCES.get(resource, resource)
        reads = found.setdefault(consent_id, {}).setdefault(words, Reads(words))
        reads.count += count
        reads.today += int(today or 0)
        reads.last_at = max(filter(None, (reads.last_at, last_at)))
    return {consent_id: sorted(kinds.values(), key=lambda r: r.last_at, reverse=True)
            for consent_id, kinds in found.items()}


def own_consent(session: Session, bank_id: str, customer_id: str, consent_id: str) -> Consent:
    """The customer's consent ``consent_id`` at the bank; raises ``NotFound`` for any other
    (another customer's, another bank's, unknown, or still awaiting authorization)."""
    consent = consents.find_consent(session, bank_id, consent_id)
    if (consent is None or consent.customer_id != customer_id
            or consent.status == consents.AWAITING):
        raise NotFound("You have no connected app with this id at this bank.",
                       field="consent_id", location="path")
    return consent


def remove_access(session: Session, bank_id: str, customer_id: str, consent_id: str, *,
                  now: datetime) -> Consent:
    """Revoke the customer's consent ``consent_id`` on their behalf (``consent.revoked``
    with reason ``customer``); raises ``NotFound`` when it is not theirs. The caller
    commits."""
    consent = own_consent(session, bank_id, customer_id, consent_id)
    consents.revoke(session, consent, now=now, by="customer")
    return consent
