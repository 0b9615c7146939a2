"""``/sandbox/clock``: read and move the sandbox clock."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from sandbox import clock
from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.services import clockctl

blp = AdminBlueprint("sandbox-clock", __name__, description="The sandbox clock (QA control plane).")


class ClockSchema(ma.Schema):
    """The sandbox clock."""

    now = Instant(metadata={"description": "The sandbox's current instant (UTC).",
                            "example": "2026-03-01T12:00:00Z"})
    frozen = ma.fields.Boolean(metadata={"description": "True when the clock stands still; "
                                                       "false when it runs with the wall clock."})


class ClockMoveSchema(ma.Schema):
    """How to move the clock: `advance` or `set` (forward only), and/or `freeze`."""

    advance = ma.fields.String(metadata={
        "description": "ISO 8601 duration to move forward by: `P3D`, `PT2H`, `P1DT12H`, `P2W`, "
                       "`P1M` (calendar month); at most ten years (`P10Y`).", "example": "P3D"})
    set = Instant(metadata={"description": "Instant to move the clock to; not in its past, "
                                           "at most ten years ahead.",
                            "example": "2026-07-01T09:00:00Z"})
    freeze = ma.fields.Boolean(metadata={
        "description": "Stop (true) or restart (false) the clock at the resulting instant; "
                       "unchanged when absent."})

    @ma.validates("advance")
    def _valid_duration(self, value: str, **_kwargs) -> None:
        try:
            clockctl.parse_move(value)
        except (ValueError, clockctl.MoveTooLong) as error:
            raise ma.ValidationError(str(error)) from None

    @ma.validates_schema
    def _one_move(self, data: dict, **_kwargs) -> None:
        if "advance" in data and "set" in data:
            raise ma.ValidationError("Give either `advance` or `set`, not both.", "set")
        if not data:
            raise ma.ValidationError("Give `advance`, `set` or `freeze`.")


@blp.route("/clock")
class Clock(MethodView):
    @blp.admin
    @blp.response(200, ClockSchema)
    def get(self):
        """Read the sandbox clock."""
        return clockctl.state(db.session, configured=clock.configured_clock())

    @blp.admin
    @blp.arguments(ClockMoveSchema, example={"advance": "P3D"})
    @blp.response(200, ClockSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, move):
        """Move the clock forward (or freeze/unfreeze it).

        The days in between are generated exactly as seeding at the later date would have,
        pending transactions post, shipments move along, and consents and tokens whose time
        has come expire. Moving backwards is refused with 409, more than ten years at once
        with 422.
        """
        clock.forget()  # what the move raises (events of the catch-up) reads the new clock
        return clockctl.move(db.session, advance=move.get("advance"), to=move.get("set"),
                             freeze=move.get("freeze"), configured=clock.configured_clock())
