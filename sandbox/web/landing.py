"""The landing page: the demo's story (chat, link, ask, remove access), then the banks, the
test users and the developers' links."""
import secrets

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import Blueprint, render_template

from sandbox import clock
from sandbox.extensions import db
from sandbox.services import banks
from sandbox.web.urls import public_base_url

bp = Blueprint("landing", __name__)

#: Sandbank Chat, where the demo starts (``sandbox/demo/``).
CHAT_PATH = "/demo/chat"

MFA_POLICIES = {
    "always": "Every login",
    "enrolled": "Enrolled users",
}


@bp.app_template_filter("lifetime_seconds")
def seconds_text(seconds: int) -> str:
    """``900`` → ``15 min``, ``3600`` → ``1 h``."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


@bp.app_template_filter("lifetime_days")
def days_text(days: int) -> str:
    """``730`` → ``2 years``, ``90`` → ``90 days``."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{days} days"


@bp.app_template_filter("mfa_policy_text")
def mfa_policy_text(policy: str) -> str:
    """The bank's MFA policy in plain words."""
    return MFA_POLICIES.get(policy, policy)


@bp.app_template_global("bank_logo_url")
def bank_logo_url(bank) -> str:
    """The logo URL of a bank row, as the bank listing gives it."""
    return banks.logo_url(banks.issuer_url(public_base_url(), bank.id))


@bp.get("/")
def index():
    """The landing page."""
    base = public_base_url()
    details = [banks.describe_in_full(db.session, bank, base)
               for bank in banks.list_banks(db.session)]
    challenge = create_s256_code_challenge(secrets.token_urlsafe(48))
    state = secrets.token_urlsafe(12)
    now, frozen = clock.read(db.session, clock.configured_clock())
    return render_template(
        "landing.html",
        base=base,
        banks=details,
        logins=banks.persona_logins(details),
        consent_links={d["id"]: banks.demo_authorize_url(d["issuer"], challenge, state)
                       for d in details},
        redirect_uri=banks.DEMO_REDIRECT_URI,
        chat_url=CHAT_PATH,
        one_time_code=banks.ONE_TIME_CODE,
        now=now,
        frozen=frozen,
    )
