"""The control plane's guard: the ``X-Sandbox-Admin-Key`` header (DESIGN.md §2).

The key must equal ``SANDBOX_ADMIN_KEY``. The documented development default
(``sandbox-admin``) is accepted only while every socket the server listens on is a loopback
address (:func:`sandbox.binding.listens_on_loopback`); once another key is configured, only
that key opens the control plane.
"""
from __future__ import annotations

import hmac

from flask import current_app, request
from flask_smorest import Blueprint, abort

from sandbox.binding import listens_on_loopback
from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.limits import MAX_CONTROL_BODY_BYTES
from sandbox.network import is_loopback_host

HEADER = "X-Sandbox-Admin-Key"
PREFIX = "/sandbox"
SCHEME = "SandboxAdminKey"
SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": HEADER,
    "description": "The control-plane key (`SANDBOX_ADMIN_KEY`). The development default "
                   f"`{DEFAULT_ADMIN_KEY}` is accepted only while the server listens on "
                   "loopback.",
}


def default_key_allowed() -> bool:
    """Whether the development default key may open the control plane for this request:
    every socket the server listens on is a loopback address, and the request names a
    loopback host (so a web page that rebinds its own name to 127.0.0.1 cannot use it)."""
    return listens_on_loopback() and is_loopback_host(request.host)


def key_is_valid(given: str | None) -> bool:
    """Whether ``given`` opens the control plane for this request."""
    if not given:
        return False
    configured = current_app.config.get("SANDBOX_ADMIN_KEY") or DEFAULT_ADMIN_KEY
    if configured == DEFAULT_ADMIN_KEY and not default_key_allowed():
        return False
    return hmac.compare_digest(given.encode(), configured.encode())


def require_admin_key() -> None:
    """``before_request`` hook: 401 problem+json unless the admin key is valid; a valid key
    opens the control plane's larger body limit (scenario documents)."""
    given = request.headers.get(HEADER)
    if key_is_valid(given):
        request.max_content_length = MAX_CONTROL_BODY_BYTES
        return
    if given:
        detail = f"The {HEADER} header does not match the configured admin key."
    else:
        detail = f"The control plane needs the {HEADER} header."
    configured = current_app.config.get("SANDBOX_ADMIN_KEY") or DEFAULT_ADMIN_KEY
    if configured == DEFAULT_ADMIN_KEY and not default_key_allowed():
        detail += (" The development default key works only on loopback (every socket the "
                   "server listens on a loopback address: not a unix socket, not 0.0.0.0; "
                   "and a loopback name in the Host header): set SANDBOX_ADMIN_KEY to use "
                   "the control plane here.")
    abort(401, message=detail, headers={"WWW-Authenticate": f'ApiKey header="{HEADER}"'})


class AdminBlueprint(Blueprint):
    """A control-plane blueprint: every request must carry the admin key, and every
    operation decorated with :meth:`admin` documents that requirement."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("url_prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.before_request(require_admin_key)

    def admin(self, func):
        """Document the admin-key security scheme and its 401 answer on an operation."""
        func = self.alt_response(401, response="UNAUTHORIZED")(func)
        return self.doc(security=[{SCHEME: []}])(func)
