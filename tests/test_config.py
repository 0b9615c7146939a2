"""Settings come from ``SANDBOX_*`` environment variables, with documented defaults."""
import pytest

from sandbox import config, create_app


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
