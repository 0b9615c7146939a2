"""Liveness and readiness probes."""
import marshmallow as ma
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from sandbox.errors import PROBLEM_JSON, ProblemSchema
from sandbox.extensions import db

blp = Blueprint("health", __name__, description="Liveness and readiness probes.")


class StatusSchema(ma.Schema):
    """Probe answer."""

    status = ma.fields.String(metadata={"description": "`ok` when the probe passes.",
                                        "example": "ok"})


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, StatusSchema)
    def get(self):
        """The process is up."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, StatusSchema)
    @blp.alt_response(503, schema=ProblemSchema, content_type=PROBLEM_JSON,
                      description="The database is unreachable or not seeded yet.")
    def get(self):
        """The database is reachable and the world is seeded."""
        from sandbox.models import WorldState

        try:
            seeded = db.session.scalar(sa.select(sa.func.count()).select_from(WorldState))
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            abort(503, message="The database is unreachable or its schema is missing.")
        if not seeded:
            abort(503, message="The world is not seeded yet: run `sandbox seed`.")
        return {"status": "ok"}
