"""Extension objects, created unbound and bound to an app in ``create_app`` (init_app pattern)."""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from sandbox.errors import SandboxApi


class Base(DeclarativeBase):
    """Declarative base for every model."""


db = SQLAlchemy(model_class=Base)
api = SandboxApi()
