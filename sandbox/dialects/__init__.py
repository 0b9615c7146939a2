"""Standards dialects (DESIGN.md §2): Sandbank's one world served through published
open-banking standards as well as through its own v1 API.

Each dialect is one package here (``ukob``, ``cdr``) of thin views over the same services as
the v1 API, exposing ``DIALECT``, a :class:`Dialect`. Adding a standard is a new package and
its name in :data:`PACKAGES`; discovery and the factory find it through this module.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import sqlalchemy as sa
from flask import Blueprint as FlaskBlueprint
from flask import Flask, abort, jsonify
from flask_smorest import Blueprint

from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.web.urls import public_base_url

#: The dialect packages, in the order discovery lists them.
PACKAGES: tuple[str, ...] = ("ukob",)
#: Where each dialect's OpenAPI document is served (``/openapi/<id>.json``).
DOCUMENT_URL = "/openapi/{id}.json"


@dataclass(frozen=True)
class Dialect:
    """One published standard served under every bank's issuer."""

    id: str
    #: The standard's name and the version of its OpenAPI document that the dialect follows.
    standard: str
    version: str
    #: Where the dialect lives under the issuer, e.g. ``/open-banking/v4.0/aisp``.
    path: str
    #: Its views, with ``url_prefix="/banks/<bank_id>" + path``.
    blueprint: Blueprint
    #: Its published OpenAPI document as served: ``openapi(base_url, path, bank_ids)``.
    openapi: Callable[[str, str, list[str]], dict] | None = None


def dialects() -> list[Dialect]:
    """Every dialect, in the order of :data:`PACKAGES`."""
    return [import_module(f"{__name__}.{name}").DIALECT for name in PACKAGES]


def serves(rest: str) -> bool:
    """Whether ``/banks/<id><rest>`` is a path of a dialect."""
    return any(rest.startswith(dialect.path + "/") for dialect in dialects())


def init_app(app: Flask) -> None:
    """Register every dialect's blueprint, serve their OpenAPI documents and list them in
    Swagger UI (``/docs``) beside the sandbox's own."""
    found = dialects()
    for dialect in found:
        app.register_blueprint(dialect.blueprint)
    app.register_blueprint(documents)
    urls = [{"url": "/openapi.json", "name": "Sandbank (v1, OAuth, control plane)"}]
    urls += [{"url": DOCUMENT_URL.format(id=dialect.id),
              "name": f"{dialect.standard} {dialect.version}"}
             for dialect in found if dialect.openapi is not None]
    if len(urls) > 1:
        app.config["OPENAPI_SWAGGER_UI_CONFIG"] = {
            **app.config.get("OPENAPI_SWAGGER_UI_CONFIG", {}), "urls": urls,
            "urls.primaryName": urls[0]["name"]}


documents = FlaskBlueprint("dialect_documents", __name__)


@documents.get(DOCUMENT_URL.format(id="<dialect_id>"))
def document(dialect_id: str):
    """A dialect's published OpenAPI document, its servers pointing at every bank."""
    dialect = next((d for d in dialects() if d.id == dialect_id and d.openapi), None)
    if dialect is None:
        abort(404)
    bank_ids = list(db.session.scalars(sa.select(Bank.id).order_by(Bank.id)))
    return jsonify(dialect.openapi(public_base_url(), dialect.path, bank_ids))


def discovery(issuer: str) -> dict[str, dict[str, str]]:
    """The ``api_dialects`` member of a bank's discovery document: each dialect's base URL."""
    return {dialect.id: {"base_url": issuer + dialect.path, "standard": dialect.standard,
                         "version": dialect.version} for dialect in dialects()}
