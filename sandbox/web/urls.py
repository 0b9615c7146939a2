"""The server's public URL, the base of every bank's issuer (DESIGN.md §2)."""
from flask import current_app, request


def public_base_url() -> str:
    """``SANDBOX_BASE_URL`` when set, else the scheme and host the request came in on."""
    return current_app.config.get("SANDBOX_BASE_URL") or request.host_url.rstrip("/")
