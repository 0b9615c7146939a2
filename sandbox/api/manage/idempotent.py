"""The ``Idempotency-Key`` header on POST views: the key's claim, the view's work and the
answer it stores are one unit of work (committed together after the view returns)."""
from __future__ import annotations

from functools import wraps

from flask import Response, request
from flask_smorest import Blueprint, abort

from sandbox import clock
from sandbox.extensions import db
from sandbox.services import idempotency

KEY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Up to 64 printable characters. Within 24 hours (sandbox clock), repeating the request "
        "with the same key and body answers the first answer again without a second effect; "
        "the same key with another body is refused (422)."),
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
}


def _key() -> str | None:
    key = request.headers.get(idempotency.HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH or not key.isprintable():
        abort(400, message=f"The {idempotency.HEADER} header must be 1 to "
                           f"{idempotency.MAX_KEY_LENGTH} printable characters.",
              errors={"headers": {idempotency.HEADER: ["Invalid key."]}})
    return key


def idempotent(view):
    """Decorate a POST view placed under ``requires`` (so a replay is authorised like a
    first request): honour ``Idempotency-Key`` for the token's client and consent. The claim
    is made in the request's unit of work, so a refused or failed request leaves the key
    free, and a concurrent duplicate waits for the first one's answer."""

    @wraps(view)
    def wrapper(self, grant, *args, **kwargs):
        key = _key()
        if key is None:
            return view(self, grant, *args, **kwargs)
        digest = idempotency.fingerprint(request.method, request.path, request.get_data())
        record_id, replay = idempotency.claim(
            db.session, grant.bank_id, grant.client_id,
            idempotency.principal(grant.customer_id, grant.consent_id), key, digest,
            now=clock.now())
        if replay is not None:
            response = Response(replay.body, status=replay.status, headers=replay.headers)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = view(self, grant, *args, **kwargs)
        if not 200 <= response.status_code < 300:
            idempotency.release(db.session, record_id)
            return response
        headers = {name: response.headers[name] for name in idempotency.REPLAYED_HEADERS
                   if name in response.headers}
        idempotency.complete(db.session, record_id, idempotency.Answer(
            response.status_code, response.get_data(as_text=True), headers))
        return response

    return Blueprint.doc(parameters=[KEY_PARAMETER], responses={
        400: "BAD_REQUEST", 409: "CONFLICT", 422: "UNPROCESSABLE_ENTITY"})(wrapper)
