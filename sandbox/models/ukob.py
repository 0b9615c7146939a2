"""What a UK Open Banking account-access consent holds beyond a Sandbank consent."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sandbox.extensions import db


class UkobConsent(db.Model):
    """The ``Data.Permissions`` of a consent created through the UK Open Banking dialect, as
    the client sent them (Sandbank scopes are coarser: ``ReadAccountsBasic`` and
    ``ReadAccountsDetail`` are both ``accounts``). The consent itself is the
    :class:`~sandbox.models.oauth.Consent` row of the same id."""

    __tablename__ = "ukob_consents"

    consent_id: Mapped[str] = mapped_column(sa.ForeignKey("consents.id"), primary_key=True)
    permissions: Mapped[list] = mapped_column(sa.JSON)
