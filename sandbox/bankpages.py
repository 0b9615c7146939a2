"""What every bank-branded HTML page shares (the authorization flow's, ``oauth/flow.py``, and
the connected apps', ``people/``): the bank of the URL, the session's CSRF token, the error
shown as the bank's error page, rendering under ``g.bank``, and the sign-in form's two steps
(password, one-time code) over ``services/authentication.py``."""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from flask import Response, g, render_template, request, session
from flask_smorest import abort

from sandbox.errors import SandboxError
from sandbox.extensions import db
from sandbox.models import Bank, Customer
from sandbox.services import authentication, customers, throttle

CSRF = "oauth_csrf"

#: ``render(template, status, **context)``: a page of the caller's.
Render = Callable[..., Response]


class PageError(SandboxError):
    """An error shown to the person as the bank's error page (:func:`error_page`): nothing
    is redirected to a client, and the request's work is rolled back."""

    def __init__(self, title: str, message: str, status: int = 400):
        super().__init__(message)
        self.title = title
        self.status = status


def load_bank(endpoint, values) -> None:
    """``url_value_preprocessor`` of a bank's blueprint: ``bank_id`` becomes ``g.bank``
    (404 for an unknown bank)."""
    bank_id = values.pop("bank_id")
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        abort(404, message=f"There is no bank {bank_id!r}.")
    g.bank = bank


def add_bank(endpoint, values) -> None:
    """``url_defaults`` of a bank's blueprint: links stay at the request's bank."""
    if "bank" in g:
        values.setdefault("bank_id", g.bank.id)


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(32)
    return session[CSRF]


def check_csrf() -> None:
    """Raise :class:`PageError` unless the posted form carries the session's CSRF token."""
    sent = request.form.get("csrf_token", "")
    expected = session.get(CSRF)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PageError("This form has expired",
                        "The page was open too long or was not sent from this browser "
                        "(missing or wrong CSRF token). Go back and start again.")


def page(template: str, status: int = 200, **context) -> Response:
    """An HTML page of the bank ``g.bank``, with the CSRF token its forms post."""
    session.permanent = True
    body = render_template(template, bank=g.bank, csrf_token=csrf_token(), **context)
    return Response(body, status=status, mimetype="text/html")


def error_page(error: PageError) -> Response:
    """The bank's HTML error page for ``error``."""
    return page("oauth/error.html", error.status, title=error.title, message=error.detail)


def _refused(render: Render, template: str, error: SandboxError, **context) -> Response:
    """The form again with ``error`` (429 with ``Retry-After`` when throttled)."""
    response = render(template, error.status, error=error.detail, **context)
    response.headers.update(error.headers or {})
    return response


def password_step(render: Render) -> Customer | Response:
    """Check the posted ``username`` and ``password`` at ``g.bank``: the customer, or the
    sign-in form (``oauth/login.html``) again saying why not (400, 403 locked, 429)."""
    username = request.form.get("username", "")
    try:
        return authentication.check_password(db.session, g.bank.id, username,
                                             request.form.get("password", ""))
    except (customers.LoginRefused, throttle.Throttled) as refused:
        return _refused(render, "oauth/login.html", refused, username=username)


def code_step(render: Render, customer: Customer) -> Response | None:
    """Check the posted one-time code of ``customer``: None when right, else the code form
    (``oauth/otp.html``) again saying why not (400, 429)."""
    try:
        authentication.check_code(db.session, g.bank.id, customer.username,
                                  request.form.get("otp", ""))
    except (authentication.WrongCode, throttle.Throttled) as refused:
        return _refused(render, "oauth/otp.html", refused)
    return None
