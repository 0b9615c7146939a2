"""Sandbank Chat (``/demo/chat``): a messaging simulator and a client of every bank like any
other. It reaches the banks only over HTTP (OAuth endpoints, data API, webhooks) and keeps
its own state in its own tables (:mod:`sandbox.demo.models`)."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the chat's blueprint."""
    from sandbox.demo.views import bp

    app.register_blueprint(bp)
