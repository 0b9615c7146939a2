"""The per-bank data API (v1)."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the data API blueprints."""
