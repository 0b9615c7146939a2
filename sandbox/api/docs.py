"""Offline interactive docs: Swagger UI's files from the installed ``flask-swagger-ui`` wheel.

flask-smorest renders ``/docs`` and loads its scripts from ``OPENAPI_SWAGGER_UI_URL``, which
points here instead of a CDN, so the page works without a network.
"""
from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, send_from_directory

#: Where flask-smorest serves Swagger UI (``OPENAPI_SWAGGER_UI_PATH``), and its files.
DOCS_PATH = "/docs"
ASSETS_URL = f"{DOCS_PATH}/assets/"

blp = Blueprint("docs_assets", __name__)


def assets_folder() -> str:
    """The folder of Swagger UI's distribution inside the installed package."""
    return str(files("flask_swagger_ui") / "dist")


@blp.get(f"{ASSETS_URL}<path:filename>")
def asset(filename: str):
    """One Swagger UI file (script, stylesheet, icon)."""
    return send_from_directory(assets_folder(), filename, max_age=86_400)
