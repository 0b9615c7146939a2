"""Settings. The only module that reads environment variables (all prefixed ``SANDBOX_``)."""
from __future__ import annotations

import os
from collections.abc import Mapping

from sandbox.durations import parse_duration

DEFAULT_ADMIN_KEY = "sandbox-admin"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


def _duration(environ: Mapping[str, str], name: str, default: str) -> str:
    """An ISO 8601 duration (``P90D``), checked now so that a typo stops the start."""
    raw = (environ.get(name) or "").strip() or default
    try:
        parse_duration(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be an ISO 8601 duration such as P90D: {error}") from None
    return raw


def _names(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma- or space-separated list of host names, lower-cased."""
    return tuple(part.lower() for part in (environ.get(name) or "").replace(",", " ").split())


def from_env(environ: Mapping[str, str] | None = None) -> dict:
    """Return the Flask config derived from ``SANDBOX_*`` environment variables.

    ``SANDBOX_INSTANCE_DIR`` (made absolute) is None when unset: Flask then finds the
    instance folder beside the package (or under the installation prefix).
    ``SQLALCHEMY_DATABASE_URI`` is None when unset: the factory then puts a SQLite
    file in the instance folder. ``SECRET_KEY`` is None when unset: the factory then uses
    the random key kept in the instance folder.
    """
    env = os.environ if environ is None else environ
    instance = env.get("SANDBOX_INSTANCE_DIR")
    return {
        "SANDBOX_INSTANCE_DIR": os.path.abspath(instance) if instance else None,
        "SQLALCHEMY_DATABASE_URI": env.get("SANDBOX_DATABASE_URL") or None,
        "SANDBOX_SEED": _int(env, "SANDBOX_SEED", 42),
        "SANDBOX_CUSTOMERS": _int(env, "SANDBOX_CUSTOMERS", 25),
        "SANDBOX_HISTORY_MONTHS": _int(env, "SANDBOX_HISTORY_MONTHS", 24),
        "SANDBOX_CLOCK": env.get("SANDBOX_CLOCK") or None,
        "SANDBOX_BASE_URL": (env.get("SANDBOX_BASE_URL") or "").rstrip("/") or None,
        "SANDBOX_TRUSTED_HOSTS": _names(env, "SANDBOX_TRUSTED_HOSTS"),
        "SANDBOX_ADMIN_KEY": env.get("SANDBOX_ADMIN_KEY") or DEFAULT_ADMIN_KEY,
        "SECRET_KEY": env.get("SANDBOX_SECRET_KEY") or None,
        "SANDBOX_WEBHOOK_TIMEOUT": _int(env, "SANDBOX_WEBHOOK_TIMEOUT", 10),
        "SANDBOX_SNAPSHOT_DIR": env.get("SANDBOX_SNAPSHOT_DIR") or None,
        "SANDBOX_FAULT_TIMEOUT_CAP": _int(env, "SANDBOX_FAULT_TIMEOUT_CAP", 35),
        "SANDBOX_SIGN_IN_SECONDS": _int(env, "SANDBOX_SIGN_IN_SECONDS", 600),
        "SANDBOX_ACCESS_LOG_RETENTION": _duration(env, "SANDBOX_ACCESS_LOG_RETENTION", "P90D"),
    }
