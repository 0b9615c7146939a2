"""Error users (``user_error_<code>``): test logins that fail in documented ways.

Their definitions live in ``fixtures/error_users.yaml``; the fault hook looks them up by
username, and seeding creates them at every bank.
"""
from __future__ import annotations

import functools

import marshmallow as ma

from sandbox import catalog
from sandbox.faults.spec import validate_fault


class ErrorUserSchema(ma.Schema):
    """One error user of ``fixtures/error_users.yaml``."""

    username = ma.fields.String(
        required=True, validate=ma.validate.Regexp(r"^user_error_[a-z0-9_]+$"),
        metadata={"description": "Login name, `user_error_<code>`."})
    stage = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["login", "data"]),
        metadata={"description": "`login`: the login form fails; `data`: every data call "
                                 "made with the user's tokens fails."})
    fault = ma.fields.String(
        required=True, validate=validate_fault,
        metadata={"description": "What happens, in the X-Sandbox-Fault syntax."})
    description = ma.fields.String(
        required=True, metadata={"description": "The documented behaviour, in plain words."})


@functools.cache
def load() -> tuple[dict, ...]:
    """The validated error users, in file order (a broken file raises
    :class:`sandbox.catalog.FixtureError` naming the file and the field)."""
    return tuple(catalog.load_fixture(catalog.fixtures_root() / "error_users.yaml",
                                      ErrorUserSchema(), many=True))


@functools.cache
def by_username() -> dict[str, dict]:
    """The error users keyed by username."""
    return {user["username"]: user for user in load()}
