"""Standards dialects (DESIGN.md §2): Sandbank's one world served through published
open-banking standards as well as through its own v1 API.

Each dialect is one package here (``ukob``, ``cdr``) of thin views over the same services as
the v1 API, exposing ``DIALECT``, a :class:`Dialect`. Adding a standard is a new package and
its name in :data:`PACKAGES`; discovery and the factory find it through this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from flask import Flask
from flask_smorest import Blueprint

#: The dialect packages, in the order discovery lists them.
PACKAGES: tuple[str, ...] = ()


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


def dialects() -> list[Dialect]:
    """Every dialect, in the order of :data:`PACKAGES`."""
    return [import_module(f"{__name__}.{name}").DIALECT for name in PACKAGES]


def init_app(app: Flask) -> None:
    """Register every dialect's blueprint."""
    for dialect in dialects():
        app.register_blueprint(dialect.blueprint)


def discovery(issuer: str) -> dict[str, dict[str, str]]:
    """The ``api_dialects`` member of a bank's discovery document: each dialect's base URL."""
    return {dialect.id: {"base_url": issuer + dialect.path, "standard": dialect.standard,
                         "version": dialect.version} for dialect in dialects()}
