"""Gunicorn settings for ``gunicorn -c gunicorn.conf.py 'sandbox:create_app()'``.

The values and hooks come from ``sandbox.serving.gunicorn_settings``, the same ones ``sandbox
serve`` uses: like ``sandbox serve``, the master refuses to serve off loopback without a
trusted host name and seeds the world first when the database is empty, and each worker learns
the sockets it listens on. Command-line options win over this file: ``-b 0.0.0.0:8000 -w 4``.
"""
from sandbox.serving import gunicorn_settings

globals().update(gunicorn_settings())
