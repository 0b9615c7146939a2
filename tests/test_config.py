"""Settings come from ``SANDBOX_*`` environment variables, with documented defaults."""
from datetime import date

import pytest

from sandbox import config, create_app
from sandbox.extensions import db
from sandbox.services.seeding import seed_world


def test_defaults_without_environment():
    settings = config.from_env({})

    assert settings["SQLALCHEMY_DATABASE_URI"] is None
    assert settings["SANDBOX_SEED"] == 42
    assert settings["SANDBOX_CUSTOMERS"] == 25
    assert settings["SANDBOX_HISTORY_MONTHS"] == 24
    assert settings["SANDBOX_CLOCK"] is None
    assert settings["SANDBOX_BASE_URL"] is None
    assert settings["SANDBOX_TRUSTED_HOSTS"] == ()
    assert settings["SANDBOX_ADMIN_KEY"] == config.DEFAULT_ADMIN_KEY
    assert settings["SECRET_KEY"] is None
    assert settings["SANDBOX_WEBHOOK_TIMEOUT"] == 10
    assert settings["SANDBOX_SNAPSHOT_DIR"] is None
    assert settings["SANDBOX_FAULT_TIMEOUT_CAP"] == 35
    assert settings["SANDBOX_INSTANCE_DIR"] is None
    assert settings["SANDBOX_ACCESS_LOG_RETENTION"] == "P90D"


@pytest.mark.parametrize(
    ("variable", "raw", "key", "expected"),
    [
        ("SANDBOX_DATABASE_URL", "postgresql+psycopg://u:p@db/sandbox", "SQLALCHEMY_DATABASE_URI",
         "postgresql+psycopg://u:p@db/sandbox"),
        ("SANDBOX_SEED", "7", "SANDBOX_SEED", 7),
        ("SANDBOX_CUSTOMERS", "0", "SANDBOX_CUSTOMERS", 0),
        ("SANDBOX_HISTORY_MONTHS", " 3 ", "SANDBOX_HISTORY_MONTHS", 3),
        ("SANDBOX_CLOCK", "2026-03-01T12:00:00Z", "SANDBOX_CLOCK", "2026-03-01T12:00:00Z"),
        ("SANDBOX_BASE_URL", "https://sandbox.example.test/", "SANDBOX_BASE_URL",
         "https://sandbox.example.test"),
        ("SANDBOX_TRUSTED_HOSTS", "Sandbank.internal, .example.test", "SANDBOX_TRUSTED_HOSTS",
         ("sandbank.internal", ".example.test")),
        ("SANDBOX_ADMIN_KEY", "s3cret", "SANDBOX_ADMIN_KEY", "s3cret"),
        ("SANDBOX_SECRET_KEY", "k3y", "SECRET_KEY", "k3y"),
        ("SANDBOX_WEBHOOK_TIMEOUT", "3", "SANDBOX_WEBHOOK_TIMEOUT", 3),
        ("SANDBOX_SNAPSHOT_DIR", "/data/snapshots", "SANDBOX_SNAPSHOT_DIR", "/data/snapshots"),
        ("SANDBOX_FAULT_TIMEOUT_CAP", "5", "SANDBOX_FAULT_TIMEOUT_CAP", 5),
        ("SANDBOX_INSTANCE_DIR", "/data", "SANDBOX_INSTANCE_DIR", "/data"),
        ("SANDBOX_ACCESS_LOG_RETENTION", "P30D", "SANDBOX_ACCESS_LOG_RETENTION", "P30D"),
    ],
)
def test_environment_overrides_default(variable, raw, key, expected):
    assert config.from_env({variable: raw})[key] == expected


@pytest.mark.parametrize(
    ("variable", "key", "default"),
    [
        ("SANDBOX_SEED", "SANDBOX_SEED", 42),
        ("SANDBOX_CLOCK", "SANDBOX_CLOCK", None),
        ("SANDBOX_DATABASE_URL", "SQLALCHEMY_DATABASE_URI", None),
    ],
)
def test_empty_variable_means_default(variable, key, default):
    assert config.from_env({variable: ""})[key] == default


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("SANDBOX_SEED", "forty-two"),
        ("SANDBOX_CUSTOMERS", "2.5"),
        ("SANDBOX_HISTORY_MONTHS", "24m"),
        ("SANDBOX_WEBHOOK_TIMEOUT", "10s"),
        ("SANDBOX_FAULT_TIMEOUT_CAP", "35.0"),
    ],
)
def test_bad_integer_stops_with_a_message_naming_the_variable(variable, raw):
    with pytest.raises(SystemExit) as stopped:
        config.from_env({variable: raw})

    assert variable in str(stopped.value)
    assert repr(raw) in str(stopped.value)


def test_a_retention_that_is_no_duration_stops_with_a_message():
    with pytest.raises(SystemExit) as stopped:
        config.from_env({"SANDBOX_ACCESS_LOG_RETENTION": "90 days"})

    assert "SANDBOX_ACCESS_LOG_RETENTION" in str(stopped.value)


def test_environment_reaches_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SANDBOX_CUSTOMERS", "3")

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["SANDBOX_CUSTOMERS"] == 3


def test_explicit_config_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SANDBOX_SEED", "9")

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "SANDBOX_SEED": 11})

    assert app.config["SANDBOX_SEED"] == 11


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("SANDBOX_DATABASE_URL", raising=False)

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/sandbox.db"


def test_a_relative_instance_dir_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert config.from_env({"SANDBOX_INSTANCE_DIR": "data"})["SANDBOX_INSTANCE_DIR"] == \
        str(tmp_path / "data")


def test_everything_written_at_run_time_lands_in_the_instance_dir(monkeypatch, tmp_path):
    """What a container keeps on its ``/data`` volume: the secret key, the SQLite
    database and the reset snapshots."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SANDBOX_INSTANCE_DIR", str(folder))
    for name in ("SANDBOX_DATABASE_URL", "SANDBOX_SECRET_KEY", "SANDBOX_SNAPSHOT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANDBOX_HISTORY_MONTHS", "1")
    monkeypatch.setenv("SANDBOX_CUSTOMERS", "0")

    app = create_app()
    with app.app_context():
        seed_world(db.session, seed=3, customers=0, months=1, as_of=date(2026, 3, 1), fresh=True)
        db.session.commit()
    reset = app.test_client().post("/sandbox/reset", json={},
                                   headers={"X-Sandbox-Admin-Key": config.DEFAULT_ADMIN_KEY})
    with app.app_context():
        db.engine.dispose()

    assert reset.status_code == 200, reset.get_json()
    assert app.instance_path == str(folder)
    assert (folder / "secret_key").read_text() == app.config["SECRET_KEY"]
    assert (folder / "sandbox.db").stat().st_size > 0
    assert sorted(path.parent for path in folder.rglob("*.db")) == [folder, folder / "snapshots"]
