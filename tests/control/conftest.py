"""Fixtures of the control-plane tests: the admin key header and an unseeded app."""
from __future__ import annotations

import pytest

from sandbox import catalog, create_app
from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.database import create_schema
from sandbox.extensions import db
from sandbox.models import Bank


@pytest.fixture(scope="session")
def admin():
    """Headers that open the control plane (the development key, on loopback)."""
    return {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """The app over the banks alone (no customers, no clock row): for what needs no world."""
    path = tmp_path_factory.mktemp("bare") / "sandbox.db"
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with application.app_context():
        create_schema(db.engine)
        for position, bank in enumerate(catalog.banks()):
            settings = {k: v for k, v in bank.items() if k not in ("id", "name", "routing_number")}
            db.session.add(Bank(id=bank["id"], name=bank["name"], position=position,
                                routing_number=bank["routing_number"], settings=settings))
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()
