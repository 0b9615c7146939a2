"""Standards dialects (DESIGN.md §2): Sandbank's one world served through published
open-banking standards as well as through its own v1 API.

Each dialect is one package here (``ukob``, ``cdr``) of thin views over the same services as
the v1 API, exposing ``DIALECT``, a :class:`Dialect`. Adding a standard is a new package and
its name in :data:`PACKAGES`; discovery, the factory, the fault hook and ``/docs`` find it
through this module. A dialect's published OpenAPI documents, vendored unmodified in its
package, are served at ``/openapi/<name>`` with every bank as a server, and offered in
Swagger UI's document list at ``/docs`` beside Sandbank's own.
"""
from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.resources.abc import Traversable

import sqlalchemy as sa
from flask import Blueprint as FlaskBlueprint
from flask import Flask, Response, abort, g, jsonify, request
from flask_smorest import Blueprint

from sandbox.errors import PROBLEM_JSON
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.web.urls import public_base_url

#: The dialect packages, in the order discovery lists them.
PACKAGES: tuple[str, ...] = ("ukob", "cdr")


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
    #: An error in the dialect's own shape, ``(status, detail, headers) -> Response``: what
    #: :func:`speak_the_dialect` turns a problem+json answer made outside the dialect's
    #: views into (an injected fault, a refused host, a path or method it does not serve).
    failure: Callable[[int, str, dict], Response]
    #: Published documents: served name (``cdr-banking.json``) → (title in ``/docs``, the
    #: vendored file).
    documents: dict[str, tuple[str, Traversable]] = field(default_factory=dict)


@functools.cache
def dialects() -> tuple[Dialect, ...]:
    """Every dialect, in the order of :data:`PACKAGES` (imported once: :func:`at` is asked
    on every request)."""
    return tuple(import_module(f"{__name__}.{name}").DIALECT for name in PACKAGES)


def at(rest: str) -> Dialect | None:
    """The dialect serving ``/banks/<bank_id><rest>``, if any."""
    for dialect in dialects():
        if rest == dialect.path or rest.startswith(dialect.path + "/"):
            return dialect
    return None


#: FAPI's interaction id, which both standards play back on every answer.
INTERACTION_ID = "x-fapi-interaction-id"
_PLAYABLE = re.compile(r"[\x21-\x7e]{1,128}")


def interaction_id() -> str:
    """The request's ``x-fapi-interaction-id``: played back when the client sent a plain
    token, else a fresh RFC 4122 UUID (the same for the whole request)."""
    if "interaction_id" not in g:
        sent = (request.headers.get(INTERACTION_ID) or "").strip()
        g.interaction_id = sent if _PLAYABLE.fullmatch(sent) else str(uuid.uuid4())
    return g.interaction_id


def speak_the_dialect(response: Response) -> Response:
    """``after_request`` hook, for every answer under a dialect's path: problem+json made
    before or outside its views (a fault, a refused host, a routing 404 or 405) rewritten in
    the dialect's own error shape, status and headers kept; the interaction id played back;
    never stored by caches."""
    path = request.path
    dialect = at("/" + path.split("/", 3)[3]) if path.startswith("/banks/") and \
        path.count("/") >= 3 else None
    if dialect is None:
        return response
    if response.mimetype == PROBLEM_JSON:
        problem = json.loads(response.get_data())
        headers = {name: value for name, value in response.headers.items()
                   if name not in ("Content-Type", "Content-Length")}
        response = dialect.failure(response.status_code,
                                   problem.get("detail") or problem.get("title"), headers)
    response.headers[INTERACTION_ID] = interaction_id()
    response.headers["Cache-Control"] = "no-store"
    return response


@functools.cache
def published(file: Traversable) -> dict:
    """A vendored published document, parsed once per process (do not change it)."""
    return json.loads(file.read_text(encoding="utf-8"))


def served(dialect: Dialect, name: str, base_url: str, bank_ids: list[str]) -> dict:
    """The published document ``name`` of ``dialect`` as ``/openapi/<name>`` serves it: its
    paths unchanged, its servers (the document's and any operation's own) one bank's base
    URL, ``{base}/banks/{bank_id}`` + the dialect's path."""
    document = copy.deepcopy(published(dialect.documents[name][1]))
    servers = [{
        "url": f"{base_url}/banks/{{bank_id}}{dialect.path}",
        "description": f"A Sandbank bank's {dialect.standard} base URL.",
        "variables": {"bank_id": {"default": bank_ids[0] if bank_ids else "harborline",
                                  "enum": bank_ids or ["harborline"],
                                  "description": "The bank, from `GET /banks`."}},
    }]
    document["servers"] = servers
    for item in document.get("paths", {}).values():
        for operation in (item, *item.values()):
            if isinstance(operation, dict) and "servers" in operation:
                operation["servers"] = servers
    return document


documents = FlaskBlueprint("dialect_documents", __name__)


@documents.get("/openapi/<name>")
def document(name: str):
    """A dialect's published OpenAPI document, its servers pointing at every bank."""
    dialect = next((d for d in dialects() if name in d.documents), None)
    if dialect is None:
        abort(404)
    bank_ids = list(db.session.scalars(sa.select(Bank.id).order_by(Bank.id)))
    return jsonify(served(dialect, name, public_base_url(), bank_ids))


def init_app(app: Flask) -> None:
    """Register every dialect's blueprint, serve their published documents and list them in
    Swagger UI (``/docs``) beside the sandbox's own."""
    found = dialects()
    for dialect in found:
        app.register_blueprint(dialect.blueprint)
    app.register_blueprint(documents)
    urls = [{"url": "/openapi.json", "name": "Sandbank (v1, OAuth, control plane)"}]
    urls += [{"url": f"/openapi/{name}", "name": title}
             for dialect in found for name, (title, _) in dialect.documents.items()]
    if len(urls) > 1:
        app.config["OPENAPI_SWAGGER_UI_CONFIG"] = {
            **app.config.get("OPENAPI_SWAGGER_UI_CONFIG", {}), "urls": urls,
            "urls.primaryName": urls[0]["name"]}


def discovery(issuer: str) -> dict[str, dict[str, str]]:
    """The ``api_dialects`` member of a bank's discovery document: each dialect's base URL."""
    return {dialect.id: {"base_url": issuer + dialect.path, "standard": dialect.standard,
                         "version": dialect.version} for dialect in dialects()}
