"""The server's public URL, the base of every bank's issuer (DESIGN.md §2)."""
from flask import Response, current_app, g, request


def public_base_url() -> str:
    """``SANDBOX_BASE_URL`` when set, else the scheme, host and root the request came in on;
    an answer built from the latter says ``Vary: Host``."""
    configured = current_app.config.get("SANDBOX_BASE_URL")
    if configured:
        return configured
    g.vary_on_host = True
    return request.root_url.rstrip("/")


def vary_on_host(response: Response) -> Response:
    """``after_request`` hook: ``Vary: Host`` on every answer that used the request's host."""
    if g.get("vary_on_host"):
        response.vary.add("Host")
    return response
