"""Gunicorn settings for ``gunicorn -c gunicorn.conf.py 'sandbox:create_app()'``.

The values come from ``sandbox.serving.gunicorn_settings``, the same ones ``sandbox serve``
uses, and like ``sandbox serve`` the master seeds the world first when the database is empty.
Command-line options win over this file: ``-b 0.0.0.0:8000 -w 4``.
"""
from sandbox.serving import ensure_seeded, gunicorn_settings

globals().update(gunicorn_settings())


def on_starting(server):
    """Seed the database named by ``SANDBOX_DATABASE_URL`` when it has no world yet."""
    ensure_seeded({})
