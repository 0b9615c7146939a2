"""The per-bank data API (v1): accounts, balances, transactions, receipts, shipments and
identity under ``{iss}/v1``, each answering only what the bearer token's consent allows."""
from flask import Flask


def _no_store(response):
    """Personal data is never stored by caches."""
    from sandbox.api.common import NO_STORE

    response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    """Register the data API blueprints, their security scheme and the docs' assets."""
    from sandbox.api import auth, docs
    from sandbox.api.accounts.resources import blp as accounts_blp
    from sandbox.api.common import BANK_PARAMETER
    from sandbox.api.identity.resources import blp as identity_blp
    from sandbox.api.manage.resources import blp as manage_blp
    from sandbox.api.receipts.resources import blp as receipts_blp
    from sandbox.api.shipments.resources import blp as shipments_blp
    from sandbox.api.transactions.resources import blp as transactions_blp
    from sandbox.api.webhooks.resources import blp as webhooks_blp
    from sandbox.extensions import api

    auth.register_docs(api.spec)
    for blueprint in (accounts_blp, transactions_blp, receipts_blp, shipments_blp,
                      identity_blp, manage_blp, webhooks_blp):
        if _no_store not in blueprint.after_request_funcs.get(None, []):
            blueprint.after_request(_no_store)
        api.register_blueprint(blueprint, parameters=[BANK_PARAMETER])
    app.register_blueprint(docs.blp)
