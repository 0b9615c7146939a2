"""Standards dialects (DESIGN.md §2): Sandbank's one world served through published
open-banking standards as well as through its own v1 API.

Each dialect is one package here (``ukob``, ``cdr``) of thin views over the same services as
the v1 API, exposing ``DIALECT``, a :class:`Dialect`. Adding a standard is a new package and
its name in :data:`PACKAGES`; discovery, the factory, the fault hook and the docs find it
through this module. A dialect's published OpenAPI documents (vendored in its package) are
served at ``/openapi/<name>`` and shown by Swagger UI at ``/docs/<name without .json>``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.resources import files

from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, abort, current_app, render_template, url_for
from flask_smorest import Blueprint

from sandbox.extensions import api

#: The dialect packages, in the order discovery lists them.
PACKAGES: tuple[str, ...] = ("cdr",)


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
    #: An injected fault in the dialect's error shape: ``(status, detail, headers)``.
    failure: Callable[[int, str, dict], Response] | None = None
    #: Published documents: served name (``cdr-banking.json``) → file inside the package.
    documents: dict[str, str] = field(default_factory=dict)


def dialects() -> list[Dialect]:
    """Every dialect, in the order of :data:`PACKAGES`."""
    return [import_module(f"{__name__}.{name}").DIALECT for name in PACKAGES]


def at(rest: str) -> Dialect | None:
    """The dialect serving ``/banks/<bank_id><rest>``, if any."""
    for dialect in dialects():
        if rest == dialect.path or rest.startswith(dialect.path + "/"):
            return dialect
    return None


def _document(name: str):
    """The vendored file of the published document served as ``name``, or None."""
    for package, dialect in zip(PACKAGES, dialects()):
        if name in dialect.documents:
            return files(f"{__name__}.{package}") / dialect.documents[name]
    return None


documents_blp = FlaskBlueprint("dialect_documents", __name__)


@documents_blp.get("/openapi/<name>")
def document(name: str):
    """A dialect's published OpenAPI document, as vendored (unmodified)."""
    found = _document(name)
    if found is None:
        abort(404)
    return Response(found.read_bytes(), mimetype="application/json",
                    headers={"Cache-Control": "public, max-age=3600"})


@documents_blp.get("/docs/<name>")
def document_docs(name: str):
    """Swagger UI (the same offline assets as ``/docs``) on one published document."""
    if _document(name + ".json") is None:
        abort(404)
    config = current_app.config
    return render_template("swagger_ui.html", title=f"{name} · Sandbank",
                           swagger_ui_url=config["OPENAPI_SWAGGER_UI_URL"],
                           spec_url=url_for("dialect_documents.document", name=name + ".json"),
                           swagger_ui_config=config["OPENAPI_SWAGGER_UI_CONFIG"])


def init_app(app: Flask) -> None:
    """Register every dialect's blueprint and the one serving their documents, and point
    the description of ``/docs`` (Sandbank's own OpenAPI document) at them."""
    for dialect in dialects():
        app.register_blueprint(dialect.blueprint)
    app.register_blueprint(documents_blp)
    listed = [f"{dialect.standard} {dialect.version} under `{{issuer}}{dialect.path}` "
              f"({', '.join(_docs_link(name) for name in dialect.documents)})"
              for dialect in dialects()]
    if listed:
        info = api.spec.options.setdefault("info", {})
        info["description"] = (info.get("description", "") + " The same world also speaks "
                               "published standards: " + "; ".join(listed) + ".").strip()


def _docs_link(name: str) -> str:
    """A Markdown link to the Swagger UI page of the published document ``name``."""
    page = name.removesuffix(".json")
    return f"[{page}](/docs/{page})"


def discovery(issuer: str) -> dict[str, dict[str, str]]:
    """The ``api_dialects`` member of a bank's discovery document: each dialect's base URL."""
    return {dialect.id: {"base_url": issuer + dialect.path, "standard": dialect.standard,
                         "version": dialect.version} for dialect in dialects()}
