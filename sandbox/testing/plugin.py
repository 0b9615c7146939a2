"""pytest plugin for suites that test an integration against Sandbank (entry point
``sandbank``, loaded automatically once the package is installed).

Fixtures:

- ``sandbox_app``: the Flask app in this process, over the session's seeded world.
- ``sandbox_server``: ``sandbox serve`` on a free loopback port for the whole session
  (``.url``); with ``--sandbox-url`` an already running sandbox instead.
- ``sandbox_admin``: a :class:`~sandbox.testing.admin.SandboxAdmin` control-plane client.
- ``sandbox_token(bank, username, scopes)``: mint an access token without the consent screen.
- ``sandbox_scenario(path)``: load a scenario document (a file, or a bundled scenario name).

Every test that uses one of them starts from a freshly reset world (a snapshot restore,
well under a second), so tests never see each other's changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from sandbox.config import DEFAULT_ADMIN_KEY
from sandbox.testing.admin import MintedToken, SandboxAdmin, app_transport, http_transport
from sandbox.testing.server import database_url, sandbox_serve

FIXTURES = frozenset({"sandbox_app", "sandbox_server", "sandbox_admin", "sandbox_token",
                      "sandbox_scenario"})
DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 2
DEFAULT_MONTHS = 3
DEFAULT_AS_OF = "2026-03-01"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sandbank", "Sandbank open-banking sandbox")
    group.addoption("--sandbox-url", metavar="URL", default=None,
                    help="Use the sandbox already running at URL instead of starting one.")
    group.addoption("--sandbox-seed", metavar="N", type=int, default=None,
                    help=f"World seed (default {DEFAULT_SEED}; with --sandbox-url: the "
                         "server's own world).")
    group.addoption("--sandbox-customers", metavar="N", type=int, default=DEFAULT_CUSTOMERS,
                    help=f"Generated customers per bank (default {DEFAULT_CUSTOMERS}).")
    group.addoption("--sandbox-months", metavar="N", type=int, default=DEFAULT_MONTHS,
                    help=f"Months of history (default {DEFAULT_MONTHS}).")
    group.addoption("--sandbox-as-of", metavar="DAY", default=DEFAULT_AS_OF,
                    help=f"Freeze the sandbox clock at noon UTC of DAY (default {DEFAULT_AS_OF}; "
                         "'none' for a running clock).")
    group.addoption("--sandbox-admin-key", metavar="KEY", default=DEFAULT_ADMIN_KEY,
                    help="The control plane's admin key (default: the development key).")
    group.addoption("--sandbox-snapshots", metavar="DIR", default=None,
                    help="Where world snapshots are kept between sessions (default: the pytest "
                         "cache, else a temporary folder).")


@dataclass(frozen=True)
class SandboxSettings:
    """The session's sandbox options."""

    url: str | None
    seed: int | None
    customers: int
    months: int
    as_of: date | None
    admin_key: str
    snapshots: Path

    def reset_params(self) -> dict:
        """What each test resets to (a running server without ``--sandbox-seed``: its own
        world)."""
        if self.url and self.seed is None:
            return {}
        return {"seed": DEFAULT_SEED if self.seed is None else self.seed,
                "customers": self.customers, "months": self.months,
                "as_of": self.as_of.isoformat() if self.as_of else None}


@dataclass(frozen=True)
class RunningServer:
    """The sandbox tests talk to over HTTP."""

    url: str

    def issuer(self, bank_id: str) -> str:
        """The issuer URL of a bank, ``{url}/banks/{bank_id}``."""
        from sandbox.services.banks import issuer_url

        return issuer_url(self.url, bank_id)


@pytest.fixture(scope="session")
def sandbox_settings(request, tmp_path_factory) -> SandboxSettings:
    """The ``--sandbox-*`` options of this session."""
    option = request.config.getoption
    raw_as_of = option("--sandbox-as-of")
    snapshots = option("--sandbox-snapshots")
    if snapshots is None:
        cache = getattr(request.config, "cache", None)
        snapshots = (cache.mkdir("sandbank-snapshots") if cache is not None
                     else tmp_path_factory.mktemp("sandbank-snapshots"))
    return SandboxSettings(
        url=option("--sandbox-url"), seed=option("--sandbox-seed"),
        customers=option("--sandbox-customers"), months=option("--sandbox-months"),
        as_of=None if raw_as_of.lower() == "none" else date.fromisoformat(raw_as_of),
        admin_key=option("--sandbox-admin-key"), snapshots=Path(snapshots))


def _server_env(settings: SandboxSettings) -> dict[str, str]:
    return {"SANDBOX_SNAPSHOT_DIR": str(settings.snapshots),
            "SANDBOX_HISTORY_MONTHS": str(settings.months),
            "SANDBOX_CUSTOMERS": str(settings.customers),
            "SANDBOX_SEED": str(DEFAULT_SEED if settings.seed is None else settings.seed),
            "SANDBOX_ADMIN_KEY": settings.admin_key}


@pytest.fixture(scope="session")
def sandbox_app(sandbox_settings, tmp_path_factory):
    """The sandbox's Flask app in this process, over a freshly seeded world of its own."""
    from sandbox import create_app, database
    from sandbox.extensions import db
    from sandbox.services import snapshots

    if sandbox_settings.url:
        raise pytest.UsageError("sandbox_app runs the sandbox in process: it cannot be used "
                                "with --sandbox-url")
    path = tmp_path_factory.mktemp("sandbank") / "sandbox.db"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url(path),
        "SANDBOX_SNAPSHOT_DIR": str(sandbox_settings.snapshots),
        "SANDBOX_HISTORY_MONTHS": sandbox_settings.months,
        "SANDBOX_ADMIN_KEY": sandbox_settings.admin_key,
        "TESTING": True,
    })
    params = sandbox_settings.reset_params()
    with app.app_context():
        snapshots.reset(db.engine, snapshots.WorldParams(
            params["seed"], params["customers"], params["months"],
            date.fromisoformat(params["as_of"]) if params["as_of"] else None),
            snapshots.SnapshotSettings.from_config(app.config, app.instance_path))
    yield app
    database.dispose(app)


@pytest.fixture(scope="session")
def sandbox_server(request, sandbox_settings):
    """A sandbox served over HTTP for the whole session (``.url``, ``.issuer(bank)``)."""
    if sandbox_settings.url:
        yield RunningServer(sandbox_settings.url.rstrip("/"))
        return
    app = request.getfixturevalue("sandbox_app")
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"],
                       env=_server_env(sandbox_settings)) as url:
        yield RunningServer(url)


@pytest.fixture
def sandbox_admin(request, sandbox_settings) -> SandboxAdmin:
    """The control plane, after resetting the world for this test.

    Over HTTP when the test uses ``sandbox_server`` (or ``--sandbox-url`` is given), else
    in process on ``sandbox_app``.
    """
    if sandbox_settings.url or "sandbox_server" in request.fixturenames:
        transport = http_transport(request.getfixturevalue("sandbox_server").url)
    else:
        transport = app_transport(request.getfixturevalue("sandbox_app"))
    admin = SandboxAdmin(transport, sandbox_settings.admin_key)
    admin.reset(**sandbox_settings.reset_params())
    return admin


@pytest.fixture(autouse=True)
def _sandbox_fresh_world(request) -> None:
    """Reset the world before every test that uses a sandbox fixture."""
    if FIXTURES.intersection(request.fixturenames):
        request.getfixturevalue("sandbox_admin")


@pytest.fixture
def sandbox_token(sandbox_admin):
    """``sandbox_token(bank, username, scopes, **options) -> MintedToken``: an authorized
    consent and its access token (``.access_token``, ``.headers``, ``.consent_id``)."""

    def mint(bank: str = "harborline", username: str = "user_good",
             scopes: str | list[str] | None = None, **options) -> MintedToken:
        return sandbox_admin.token(bank, username, scopes, **options)

    return mint


@pytest.fixture
def sandbox_scenario(request, sandbox_admin):
    """``sandbox_scenario(path) -> dict``: load a scenario document. ``path`` is a file
    (relative to the test file), or the name of a bundled scenario such as
    ``"overdrawn_returned_payment"``. Answers what was loaded, with ids and tokens."""
    from sandbox.services.scenarios import bundled_scenario

    def load(path: str | Path | dict) -> dict:
        if isinstance(path, dict):
            return sandbox_admin.load_scenario(path)
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = Path(request.node.path).parent / candidate
        if not candidate.exists():
            candidate = bundled_scenario(str(path))
        return sandbox_admin.load_scenario(candidate)

    return load
