"""The per-bank OAuth 2.0 / OpenID Connect authorization server."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Bind the authorization server and register its blueprint."""
