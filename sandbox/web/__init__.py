"""Public, unauthenticated pages and endpoints: health, bank listing, landing page."""
from flask import Flask

from sandbox.extensions import api
from sandbox.web.health import blp as health_blp


def init_app(app: Flask) -> None:
    """Register the public blueprints."""
    api.register_blueprint(health_blp)
