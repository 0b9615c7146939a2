"""Public, unauthenticated pages and endpoints: health, bank listing, landing page."""
from flask import Flask

from sandbox.extensions import api
from sandbox.web.banks import blp as banks_blp
from sandbox.web.health import blp as health_blp
from sandbox.web.landing import bp as landing_bp


def init_app(app: Flask) -> None:
    """Register the public blueprints."""
    api.register_blueprint(health_blp)
    api.register_blueprint(banks_blp)
    app.register_blueprint(landing_bp)
