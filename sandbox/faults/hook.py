"""The ``before_request`` hook that injects faults into a bank's endpoints.

In order: the ``X-Sandbox-Fault`` header (data API and token endpoint), a maintenance window
(everything of the bank), an error user (login form, or data calls with their tokens), the
persistent rules (data API and token endpoint). Requests outside ``/banks/<id>/...`` pay
nothing; the others pay one small query.

The header makes a request wait (``latency``, ``timeout``) only for a caller that proved who
it is; and a process holds at most as many requests as :func:`sandbox.faults.limit_holds`
allows, answering the others at once, so held requests never starve the server.
"""
from __future__ import annotations

import math
import re
import time
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from authlib.oauth2 import OAuth2Error
from flask import Response, current_app, request
from flask_smorest import abort

from sandbox import clock, unit_of_work
from sandbox.control.guard import HEADER as ADMIN_HEADER
from sandbox.control.guard import key_is_valid
from sandbox.extensions import db
from sandbox.fastpath import Prepared, forget_grant_row, keep_grant_row
from sandbox.fastpath import connection as data_connection
from sandbox.faults import HOLD_SLOTS, error_users, rules
from sandbox.faults.responses import drop_connection, failure, surface
from sandbox.faults.spec import Fault, FaultSyntaxError, parse
from sandbox.models.banking import Bank, Customer
from sandbox.models.faults import FaultRule, MaintenanceWindow
from sandbox.models.oauth import Token
from sandbox.oauth.grants import SECRET_CLIENT_AUTH
from sandbox.oauth.resource import bearer_credentials, require_oauth
from sandbox.oauth.server import SandboxOAuth2Request, server
from sandbox.services.tokens import grant_query

HEADER = "X-Sandbox-Fault"
_BANK_PATH = re.compile(r"^/banks/(?P<bank>[^/]+)(?P<rest>/.*)?$")
#: Retry-After of a hold refused because every hold slot of the process is taken.
BUSY_RETRY_AFTER = 1
BUSY = ("The sandbox is already holding as many requests as it can spare threads for; this "
        "one is answered at once instead of being held.")


def timeout_cap() -> float:
    """Longest hold of a ``timeout`` or ``latency`` fault, seconds (SANDBOX_FAULT_TIMEOUT_CAP)."""
    return float(current_app.config["SANDBOX_FAULT_TIMEOUT_CAP"])


def before_request() -> Response | None:
    """Answer with an injected failure, delay the request, or let it through."""
    match = _BANK_PATH.match(request.path)
    if match is None:
        return None
    bank_id, rest = match["bank"], match["rest"] or ""
    kind = surface(rest)
    faultable = kind == "data" or rest == "/token"
    fault = _header_fault() if faultable else None
    if fault is not None and fault.holds and not _authenticated(kind):
        fault = fault.without_holds()
    if fault is not None and fault.fails:
        return _inflict(fault, kind, bank_id)
    state = _request_state(bank_id, kind)
    if state.maintenance_until is not None:
        retry_after = math.ceil((state.maintenance_until - clock.now()).total_seconds())
        return _inflict(_merge(fault, Fault(status=503, retry_after=retry_after)), kind, bank_id,
                        detail="The bank is down for scheduled maintenance.")
    user_fault = _error_user_fault(kind, state.username)
    if user_fault is not None:
        fault = _merge(fault, user_fault)
    if state.rules and faultable:
        with unit_of_work.transaction() as session:  # the counters outlive the request
            drawn = rules.apply_rules(session, bank_id, state.client_id or _oauth_client_id(),
                                      request.path, timeout_cap=timeout_cap())
        if drawn is not None:
            fault = _merge(fault, drawn)
    if fault is None:
        return None
    return _inflict(fault, kind, bank_id)


def _merge(first: Fault | None, second: Fault) -> Fault:
    return second if first is None else first.merge(second)


def _header_fault() -> Fault | None:
    text = request.headers.get(HEADER)
    if text is None:
        return None
    try:
        return parse(text, timeout_cap=timeout_cap())
    except FaultSyntaxError as error:
        abort(400, message=f"Invalid {HEADER} header: {error}",
              errors={"headers": {HEADER: [str(error)]}})


class _State(NamedTuple):
    rules: int
    maintenance_until: datetime | None
    username: str | None
    client_id: str | None


def _authenticated(kind: str) -> bool:
    """Whether the caller proved who it is: the admin key, a live bearer token (data API) or
    client authentication with a secret (token endpoint)."""
    if key_is_valid(request.headers.get(ADMIN_HEADER)):
        return True
    if kind == "data":
        try:
            require_oauth.acquire_token()
        except OAuth2Error:
            return False
        return True
    try:
        server.authenticate_client(SandboxOAuth2Request(), SECRET_CLIENT_AUTH)
    except OAuth2Error:
        return False
    return True


_RULES = sa.select(sa.func.count()).select_from(FaultRule).where(
    sa.or_(FaultRule.bank_id.is_(None), FaultRule.bank_id == sa.bindparam("bank"))
).scalar_subquery().label("rules")
_WINDOWS = sa.select(sa.func.count()).select_from(MaintenanceWindow).where(
    MaintenanceWindow.bank_id == sa.bindparam("bank")).scalar_subquery().label("windows")
_STATE = Prepared(sa.select(_RULES, _WINDOWS))
#: The data API's bearer token: its grant (what authorization reads next, kept for it) and
#: its customer's username, with the counts; no row when the token is unknown.
_STATE_WITH_GRANT = Prepared(grant_query(
    _RULES, _WINDOWS,
    sa.select(Customer.username).where(Customer.id == Token.customer_id)
    .scalar_subquery().label("username"),
))


def _request_state(bank_id: str, kind: str) -> _State:
    """One round trip in the common case: how many rules may apply, whether the bank has
    maintenance windows at all, and the bearer token's user and client. Data API requests
    use the request's data connection, which the API then reads with, and keep the token's
    grant row for authorization."""
    token = bearer_credentials()[0] if kind == "data" else None
    connection = data_connection() if kind == "data" else db.session.connection()
    row = None
    if token:
        row = _STATE_WITH_GRANT.first(connection, {"bank": bank_id, "token": token})
        keep_grant_row(token, row)
    if row is None:
        row = _STATE.first(connection, {"bank": bank_id})
        username = client_id = None
    else:
        username, client_id = row.username, row.client_id
    until = rules.maintenance_until(db.session, bank_id, now=clock.now()) if row.windows \
        else None
    return _State(row.rules, until, username, client_id)


def _error_user_fault(kind: str, username: str | None) -> Fault | None:
    if kind == "data" and username:
        user = error_users.by_username().get(username)
        if user is not None and user["stage"] == "data":
            return parse(user["fault"], timeout_cap=timeout_cap())
        return None
    if kind == "page" and request.method == "POST":
        user = error_users.by_username().get(request.form.get("username", ""))
        if user is not None and user["stage"] == "login":
            return parse(user["fault"], timeout_cap=timeout_cap())
    return None


def _oauth_client_id() -> str | None:
    if request.authorization is not None and request.authorization.type == "basic":
        return request.authorization.username
    return request.form.get("client_id") if request.method == "POST" else None


def _inflict(fault: Fault, kind: str, bank_id: str, detail: str | None = None) -> Response | None:
    """Sleep, hold, drop or fail as ``fault`` says; None lets the request through."""
    if fault.holds and not _hold(fault, kind):
        return failure(kind, 503, retry_after=BUSY_RETRY_AFTER,
                       bank=_bank(bank_id) if kind == "page" else None, detail=BUSY)
    if fault.drop:
        return drop_connection()
    if fault.status is not None:
        return failure(kind, fault.status, retry_after=fault.retry_after,
                       bank=_bank(bank_id) if kind == "page" else None, detail=detail)
    if fault.timeout is not None:
        return failure(kind, 504, bank=_bank(bank_id) if kind == "page" else None)
    return None


def _hold(fault: Fault, kind: str) -> bool:
    """Wait out the fault's latency and timeout in one of the process's hold slots, with no
    transaction open; False, at once, when every slot is taken."""
    slots = current_app.extensions.get(HOLD_SLOTS)
    if slots is not None and not slots.acquire(blocking=False):
        return False
    try:
        db.session.rollback()
        if kind == "data":
            data_connection().rollback()
            forget_grant_row()
        time.sleep(fault.latency + (fault.timeout or 0.0))
    finally:
        if slots is not None:
            slots.release()
    return True


def _bank(bank_id: str) -> Bank | None:
    return db.session.get(Bank, bank_id)
