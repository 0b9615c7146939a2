"""The person's side of each bank (DESIGN.md §1): connected apps at ``{iss}/connections``."""
from flask import Flask

from sandbox.people.views import bp


def init_app(app: Flask) -> None:
    """Register the connected-apps pages."""
    app.register_blueprint(bp)
