"""Who may read what through the dialect: the bearer path of the data API, then the OB
permissions of the token's consent, enforced like scopes."""
from __future__ import annotations

from dataclasses import dataclass

from sandbox.api.auth import authorize
from sandbox.dialects.ukob.protocol import check_fapi_headers
from sandbox.errors import Forbidden
from sandbox.extensions import db
from sandbox.oauth.resource import CUSTOMER, bearer_challenge
from sandbox.services import ukob_consents
from sandbox.services.tokens import Grant


@dataclass(frozen=True)
class Reader:
    """An active customer grant and the OB permissions its consent holds now."""

    grant: Grant
    permissions: frozenset[str]

    def has(self, permission: str) -> bool:
        """Whether the consent holds ``permission``."""
        return permission in self.permissions


def reader(bank_id: str, *needed: str) -> Reader:
    """The request's reader at ``bank_id`` holding at least one of the ``needed``
    permissions (all of one Sandbank scope); raises the 401/403 that refuses it."""
    scope = ukob_consents.PERMISSIONS[needed[0]][0]
    grant = authorize(bank_id, CUSTOMER, scope)
    check_fapi_headers()
    held = ukob_consents.granted(ukob_consents.sent_permissions(db.session, grant.consent_id),
                                 grant.scopes)
    if held.isdisjoint(needed):
        raise Forbidden(f"The consent does not include the {' or '.join(needed)} permission.",
                        headers=bearer_challenge(bank_id, "insufficient_scope", None, scope))
    return Reader(grant, held)
