"""Sandbank: an open-banking sandbox serving fictional banks behind real OAuth consent."""
from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: config from the environment, then ``config`` on top.

    ``SANDBOX_INSTANCE_DIR`` (an absolute path) chooses the instance folder, where the
    secret key, the default SQLite database and the reset snapshots live."""
    from sandbox import database, errors, secret_key
    from sandbox import config as settings
    from sandbox.api.docs import ASSETS_URL, DOCS_PATH
    from sandbox.application import Sandbank
    from sandbox.extensions import api, db

    overrides = {**settings.from_env(), **(config or {})}
    app = Sandbank(__name__, instance_path=overrides["SANDBOX_INSTANCE_DIR"],
                   instance_relative_config=True)
    app.config.update(
        API_TITLE="Sandbank",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH=DOCS_PATH,
        OPENAPI_SWAGGER_UI_URL=ASSETS_URL,
        OPENAPI_SWAGGER_UI_CONFIG={"deepLinking": False, "persistAuthorization": True,
                                   "displayRequestDuration": True},
        API_SPEC_OPTIONS={"info": {"description": (
            "Sandbank is an open-banking sandbox: fictional US banks, each with its own "
            "customers, accounts, card transactions, receipts and shipments, behind real "
            "OAuth 2.0 / OpenID Connect consent. Every bank's issuer is "
            "`{base}/banks/{bank_id}`; its data API lives under `{issuer}/v1` and answers "
            "only what the bearer token's consent allows. Errors are RFC 9457 "
            "`application/problem+json`.")}},
        SQLALCHEMY_ENGINE_OPTIONS={},
        JSON_SORT_KEYS=False,
    )
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "sandbox.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key.load_or_create(app.instance_path)

    database.init_app(app)
    db.init_app(app)
    api.init_app(app)
    errors.init_app(app)

    from sandbox import api as data_api
    from sandbox import control, demo, dialects, limits, oauth, people, web

    web.init_app(app)
    oauth.init_app(app)
    people.init_app(app)
    data_api.init_app(app)
    dialects.init_app(app)
    control.init_app(app)
    demo.init_app(app)
    limits.init_app(app)
    register_hooks(app)
    return app


def register_hooks(app: Flask) -> None:
    """Every app-wide request hook, here only, in the order they run. Blueprints keep their
    own (the control plane's admin key, the data API's ``no-store``, the OAuth pages')."""
    from sandbox import binding, control, dialects, fastpath, limits, pagepolicy, unit_of_work
    from sandbox.faults import hook as faults
    from sandbox.web.urls import vary_on_host

    # Before the view: a Host outside TRUSTED_HOSTS, an overlong query string, then a NUL
    # character in a query or form field, are refused before anything else; then a fault may
    # answer in the bank's place.
    for hook in (binding.refuse_untrusted_host, limits.reject_long_query,
                 limits.reject_nul_characters, faults.before_request):
        app.before_request(hook)
    # After the view, in reverse order of registration: an answer under a standards
    # dialect's path in that dialect's shape first, then headers, then the data
    # connection's commit, and the unit of work's commit last of all.
    for hook in (unit_of_work.commit, fastpath.commit, control.not_stored, vary_on_host,
                 pagepolicy.protect, dialects.speak_the_dialect):
        app.after_request(hook)
    app.teardown_appcontext(fastpath.close_connection)
