"""The ``/sandbox`` control plane for QA (admin API), and the fault injection it drives."""
from flask import Flask, Response, request

from sandbox.control.guard import PREFIX, SCHEME, SECURITY_SCHEME
from sandbox.extensions import api
from sandbox.services.scenarios.schema import ScenarioSchema


def init_app(app: Flask) -> None:
    """Register the control-plane blueprints and their security scheme (its request hook,
    :func:`not_stored`, is registered by ``create_app``)."""
    from sandbox.control import (access_log, clock, consents, customers, sign_in, tokens,
                                 webhooks, world)
    from sandbox.control import faults as fault_rules

    if SCHEME not in api.spec.components.security_schemes:
        api.spec.components.security_scheme(SCHEME, SECURITY_SCHEME)
    if "Scenario" not in api.spec.components.schemas:
        api.spec.components.schema("Scenario", schema=ScenarioSchema)
    for module in (world, clock, customers, sign_in, tokens, consents, fault_rules,
                   access_log, webhooks):
        api.register_blueprint(module.blp)


def not_stored(response: Response) -> Response:
    """``Cache-Control: no-store`` on every ``/sandbox/...`` answer, errors included: mints
    carry tokens, exports and the access log carry personal data."""
    if request.path.startswith(f"{PREFIX}/"):
        response.headers["Cache-Control"] = "no-store"
    return response
