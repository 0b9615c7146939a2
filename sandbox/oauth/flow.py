"""The pages a person sees at ``{iss}/authorize``: sign in, one-time code, consent.

Every step is served at the authorization request's own URL: forms post back to it, so each
step re-validates the request with Authlib. What the person has done so far (who signed in,
whether the one-time code was entered) is a server-side row (``services/signin.py``) bound to
this request and living ``SANDBOX_SIGN_IN_SECONDS``; the signed session cookie only names
it, under an id that changes at sign-in and at the one-time code, and the row is gone once
the code is issued or the request denied: a saved cookie signs nobody in again. Failed
passwords and codes are throttled per username (``services/throttle.py``). A pushed request
(RFC 9126) is claimed by the first browser that opens it; nobody else can use its
``request_uri`` afterwards.
"""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from flask import Response, current_app, g, redirect, request, session

from sandbox import clock
from sandbox.bankpages import PageError, check_csrf, code_step, error_page, page, password_step
from sandbox.extensions import db
from sandbox.models import Customer, PushedRequest, SignInSession
from sandbox.oauth import scopes
from sandbox.oauth.issuance import Approval, now_seconds
from sandbox.oauth.server import ParamsPayload, SandboxOAuth2Request, issuer, server
from sandbox.pagepolicy import APP_LOGO_POLICY
from sandbox.services import banks, consents, customers, signin

__all__ = ["PageError", "error_page", "handle"]

FLOW = "oauth_flow"


def _flow_key() -> str:
    raw = json.dumps([g.bank.id, sorted(request.args.items(multi=True))])
    return hashlib.sha256(raw.encode()).hexdigest()


def _this_url() -> str:
    """The authorization request's URL, relative to the host (forms post back to it)."""
    return request.script_root + request.full_path


def _lifetime() -> float:
    return float(current_app.config["SANDBOX_SIGN_IN_SECONDS"])


def _flow() -> SignInSession | None:
    """This browser's live state of the current authorization request, if it has one."""
    return signin.find(db.session, session.get(FLOW), g.bank.id, _flow_key(), _lifetime())


def _advance(flow: SignInSession | None, **changes) -> SignInSession:
    """Record ``changes`` under a fresh id (the old one stops working; the unit of work
    commits it); the session cookie is issued anew, naming only the new id."""
    row = signin.start(db.session, g.bank.id, _flow_key(), _lifetime(), previous=flow)
    for name, value in changes.items():
        setattr(row, name, value)
    session.clear()
    session[FLOW] = row.id
    return row


def _parameters(flow: SignInSession | None) -> tuple[dict[str, list[str]], SignInSession | None]:
    """The authorization parameters (the query string, or the pushed request it names) and
    the flow, which starts when a pushed request is claimed."""
    request_uri = request.args.get("request_uri")
    if request_uri is None:
        return {key: request.args.getlist(key) for key in request.args}, flow
    pushed = db.session.get(PushedRequest, request_uri)
    if (pushed is None or pushed.bank_id != g.bank.id
            or pushed.client_id != request.args.get("client_id")):
        raise PageError("Unknown request",
                        "This request_uri is unknown, or was pushed by another client.")
    if flow is None or flow.request_uri != request_uri:
        _claim(pushed)
        flow = _advance(flow, request_uri=request_uri)
    return {key: [value] for key, value in pushed.params.items()}, flow


def _claim(pushed: PushedRequest) -> None:
    now = clock.now()
    if pushed.used_at is not None:
        raise PageError("Request already used",
                        "This request_uri was already used: each pushed request serves one "
                        "authorization. Start again from the app.")
    if pushed.expires_at <= now:
        raise PageError("Request expired",
                        "This request_uri has expired (pushed requests live 90 seconds). "
                        "Start again from the app.")
    claimed = db.session.execute(
        sa.update(PushedRequest)
        .where(PushedRequest.request_uri == pushed.request_uri, PushedRequest.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise PageError("Request already used", "This request_uri was already used.")


def handle() -> Response:
    """Serve one step of the authorization flow for the current request; raises
    :class:`PageError` for what is shown to the person as an error page."""
    step = None
    if request.method == "POST":
        check_csrf()
        step = request.form.get("step")
    parameters, flow = _parameters(_flow())
    oauth_request = SandboxOAuth2Request(ParamsPayload(parameters))
    oauth_request.pushed = "request_uri" in request.args
    customer = db.session.get(Customer, flow.customer_id) if flow and flow.customer_id else None
    try:
        grant = server.get_consent_grant(oauth_request, end_user=customer)
    except OAuth2Error as error:
        try:
            response = _answer_client(server.handle_error_response(oauth_request, error))
        except PageError as shown:
            # Returned, not raised: a pushed request claimed above stays claimed.
            return error_page(shown)
        if flow is not None:
            signin.finish(db.session, flow)
        return response
    view = _View(grant, oauth_request, flow, customer)
    if step in ("login", "otp") and request.form.get("cancel") == "yes":
        return view.deny()
    if customer is None:
        return view.login(step == "login")
    if not flow.otp_done:
        return view.one_time_code(step == "otp")
    return view.consent(step == "consent")


def _answer_client(response: Response) -> Response:
    """An Authlib redirect to the client, with the issuer added (RFC 9207); anything else,
    an error page. The browser's session ends with the request."""
    location = response.headers.get("Location")
    if response.status_code != 302 or not location:
        body = response.get_json(silent=True) or {}
        raise PageError("This request cannot be completed",
                        body.get("error_description") or body.get("error", "Invalid request."))
    response.headers["Location"] = add_params_to_uri(location, [("iss", issuer())])
    session.clear()
    return response


class _View:
    """The three steps, sharing what they render."""

    def __init__(self, grant, oauth_request, flow: SignInSession | None,
                 customer: Customer | None):
        self.grant = grant
        self.request = oauth_request
        self.flow = flow
        self.customer = customer
        self.client = oauth_request.client

    def render(self, template: str, status: int = 200, **context) -> Response:
        response = page(template, status, action=_this_url(), client=self.client,
                        customer=self.customer,
                        test_users=banks.personas_of(db.session, g.bank), **context)
        if self.client is not None and self.client.logo_url:
            response.headers["Content-Security-Policy"] = APP_LOGO_POLICY
        return response

    def login(self, submitted: bool) -> Response:
        if not submitted:
            return self.render("oauth/login.html")
        customer = password_step(self.render)
        if isinstance(customer, Response):
            return customer
        _advance(self.flow, customer_id=customer.id, auth_time=now_seconds(), amr=["pwd"],
                 otp_done=not customers.needs_one_time_code(g.bank, customer))
        return redirect(_this_url(), 303)

    def one_time_code(self, submitted: bool) -> Response:
        if not submitted:
            return self.render("oauth/otp.html")
        refused = code_step(self.render, self.customer)
        if refused is not None:
            return refused
        _advance(self.flow, otp_done=True, amr=["pwd", "otp"])
        return redirect(_this_url(), 303)

    def consent(self, submitted: bool) -> Response:
        accounts = customers.accounts_of(db.session, self.customer.id)
        decision = request.form.get("decision") if submitted else None
        if decision == "deny":
            return self.deny()
        if decision != "approve":
            return self.render_consent(accounts)
        chosen = request.form.getlist("account_ids")
        owned = [account.id for account in accounts]
        if set(chosen) - set(owned):
            return self.render_consent(accounts, set(chosen), "Choose accounts from the list.")
        if not chosen and scopes.needs_accounts(self.request.scope):
            return self.render_consent(accounts, set(), "Choose at least one account to "
                                                        "share, or deny the request.")
        return self.approve([account_id for account_id in owned if account_id in chosen])

    def render_consent(self, accounts, chosen: set[str] | None = None,
                       error: str | None = None) -> Response:
        pending = self.request.consent
        now = clock.now()
        expires_at = pending.expires_at if pending else consents.max_expiry(g.bank, now)
        window = (pending.transaction_from, pending.transaction_to) if pending else (None, None)
        return self.render("oauth/consent.html", 400 if error else 200, error=error,
                           accounts=accounts, permissions=scopes.describe(self.request.scope),
                           chosen={account.id for account in accounts} if chosen is None
                           else chosen,
                           purpose=pending.purpose if pending
                           else self.request.payload.data.get("purpose"), window=window,
                           expires_at=expires_at, days=max(1, (expires_at - now).days))

    def end_flow(self) -> None:
        """Take this browser's state of the request; a concurrent answer got it first when
        it is already gone. Committed with the answer, restored if the answer fails."""
        if self.flow is not None and not signin.finish(db.session, self.flow):
            raise PageError("Request already answered",
                            "This authorization was already answered in this browser. "
                            "Start again from the app.")

    def approve(self, account_ids: list[str]) -> Response:
        amended = self.request.consent
        if amended is not None and amended.customer_id not in (None, self.customer.id):
            raise PageError("Not your arrangement",
                            "The app asked to change an arrangement another person made. "
                            "Sign in as that person, or start again from the app.", 403)
        approval = Approval(customer=self.customer, consent=self.request.consent,
                            account_ids=account_ids, auth_time=self.flow.auth_time,
                            amr=list(self.flow.amr))
        self.end_flow()
        response = server.create_authorization_response(self.request, grant_user=approval,
                                                        grant=self.grant)
        return self.finish(response)

    def deny(self) -> Response:
        """Deny, or Cancel at sign-in or the one-time code: ``access_denied`` to the app."""
        self.end_flow()
        response = server.create_authorization_response(self.request, grant_user=None,
                                                        grant=self.grant)
        if self.request.consent is not None:
            consents.reject(self.request.consent, self.customer)
        return self.finish(response)

    def finish(self, response: Response) -> Response:
        return _answer_client(response)

