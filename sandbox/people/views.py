"""``{iss}/connections``: the bank's connected-apps pages (HTML, no script).

Signing in is the authorization flow's (``bankpages``: password, then the one-time code when
the bank asks, throttled per username); then a list of the customer's apps, what each may see
and read lately, with "Remove access" (a confirmation step, then the consent is revoked on
the customer's behalf) and sign-out. Every form carries the session's CSRF token; errors are
the bank's HTML pages.
"""
from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, g, redirect, request, url_for

from sandbox import clock
from sandbox.bankpages import (
    PageError,
    add_bank,
    check_csrf,
    code_step,
    load_bank,
    page,
    password_step,
)
from sandbox.errors import SandboxError
from sandbox.extensions import db
from sandbox.models import Customer
from sandbox.oauth.issuance import now_seconds
from sandbox.oauth.scopes import describe
from sandbox.pagepolicy import APP_LOGO_POLICY
from sandbox.people import signin
from sandbox.services import banks, customers
from sandbox.services import connections as apps

bp = Blueprint("people", __name__, url_prefix="/banks/<bank_id>")


bp.url_value_preprocessor(load_bank)
bp.url_defaults(add_bank)


@bp.after_request
def _protect(response: Response) -> Response:
    """Never framed, never cached, no referrer (as the authorization pages)."""
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(SandboxError)
def _error(error: SandboxError) -> Response:
    """Every refusal of these pages is the bank's HTML error page."""
    title = error.title if isinstance(error, PageError) else {
        404: "Not found"}.get(error.status, "Something went wrong")
    return page("people/error.html", error.status, title=title, message=error.detail)


def _render(template: str, status: int = 200, **context) -> Response:
    return page(template, status, action=url_for(".connections"), client=None,
                test_users=banks.personas_of(db.session, g.bank), **context)


@bp.route("/connections", methods=["GET", "POST"])
def connections():
    """Sign in (password, one-time code), then the connected apps."""
    row = signin.current()
    step = None
    if request.method == "POST":
        check_csrf()
        step = request.form.get("step")
    if row is None or row.customer_id is None:
        if step != "login":
            return _render("oauth/login.html")
        customer = password_step(_render)
        if isinstance(customer, Response):
            return customer
        signin.advance(row, customer_id=customer.id, auth_time=now_seconds(), amr=["pwd"],
                       otp_done=not customers.needs_one_time_code(g.bank, customer))
        return redirect(url_for(".connections"), 303)
    customer = signin.signed_in(row)
    if customer is None:
        pending = db.session.get(Customer, row.customer_id)
        if step != "otp":
            return _render("oauth/otp.html", customer=pending)
        refused = code_step(partial(_render, customer=pending), pending)
        if refused is not None:
            return refused
        signin.advance(row, otp_done=True, amr=["pwd", "otp"])
        return redirect(url_for(".connections"), 303)
    if request.method == "POST":
        return redirect(url_for(".connections"), 303)
    now = clock.now()
    active, history = apps.connections_of(db.session, g.bank.id, customer.id, now=now)
    removed = request.args.get("removed")
    removed = next((c for c in history if c.consent.id == removed
                    and c.consent.revoked_by == "customer"), None)
    return _with_logos(page("people/connections.html", customer=customer, active=active,
                            history=history, removed=removed, describe=describe, now=now))


def _with_logos(response: Response) -> Response:
    """A page that may show apps' logos (https ``<img>``)."""
    response.headers["Content-Security-Policy"] = APP_LOGO_POLICY
    return response


def _customer() -> Customer | None:
    """The signed-in customer, or None (the caller sends the browser to sign in)."""
    return signin.signed_in(signin.current())


@bp.post("/connections/<consent_id>/remove")
def remove(consent_id: str):
    """Remove an app's access: the confirmation page, then (``confirm=yes``) the
    revocation."""
    check_csrf()
    customer = _customer()
    if customer is None:
        return redirect(url_for(".connections"), 303)
    if request.form.get("confirm") != "yes":
        consent = apps.own_consent(db.session, g.bank.id, customer.id, consent_id)
        active, _ = apps.connections_of(db.session, g.bank.id, customer.id, now=clock.now())
        shown = next((c for c in active if c.consent.id == consent.id), None)
        if shown is None:
            return redirect(url_for(".connections"), 303)
        return _with_logos(page("people/confirm.html", customer=customer, connection=shown,
                                describe=describe, now=clock.now()))
    apps.remove_access(db.session, g.bank.id, customer.id, consent_id, now=clock.now())
    return redirect(url_for(".connections", removed=consent_id), 303)


@bp.post("/connections/sign-out")
def sign_out():
    """End this browser's sign-in at the bank."""
    check_csrf()
    signin.sign_out(signin.current())
    return page("people/signed_out.html")
