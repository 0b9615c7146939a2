"""The control plane's fixtures, which the fault tests drive: the admin key, a bare app."""
from tests.control.conftest import admin, bare_app  # noqa: F401
