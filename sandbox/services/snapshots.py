"""Fast resets: snapshots of freshly seeded SQLite worlds, restored with SQLite's backup API.

A snapshot is keyed by the world's parameters (seed, customers, months, as-of day) and by a
fingerprint of what generates the world (fixtures, generator sources, table layout), so a
changed generator never restores a stale world. Restoring writes through SQLite into the live
database file, so every other connection, in every worker, sees the new world at its next
transaction. PostgreSQL has no file to restore: there a reset seeds again.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import WorldOrigin, WorldState

#: Sources whose change makes every snapshot stale.
_GENERATOR_SOURCES = ("synth", "services/seeding.py", "services/world.py", "faults/seeding.py",
                      "catalog.py")


@dataclass(frozen=True)
class WorldParams:
    """What a world is seeded from."""

    seed: int
    customers: int
    months: int
    as_of: date | None


def current_params() -> WorldParams:
    """The parameters the live world was seeded with (config defaults when unknown)."""
    config = current_app.config
    configured_clock = config.get("SANDBOX_CLOCK")
    as_of = clock.parse_instant(configured_clock).date() if configured_clock else None
    origin = db.session.get(WorldOrigin, 1)
    if origin is not None:
        return WorldParams(origin.seed, origin.customers, origin.months, origin.as_of)
    state = db.session.get(WorldState, 1)
    if state is not None:
        return WorldParams(state.seed, state.customers, state.history_months, as_of)
    return WorldParams(config["SANDBOX_SEED"], config["SANDBOX_CUSTOMERS"],
                       config["SANDBOX_HISTORY_MONTHS"], as_of)


def record_origin(params: WorldParams) -> None:
    """Remember how the live world was seeded (the caller commits)."""
    origin = db.session.get(WorldOrigin, 1) or WorldOrigin(id=1)
    origin.seed, origin.customers = params.seed, params.customers
    origin.months, origin.as_of = params.months, params.as_of
    db.session.add(origin)


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file of a SQLite database URL, or None for other databases."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def snapshot_dir() -> Path:
    """Where snapshots live: ``SANDBOX_SNAPSHOT_DIR``, else ``<instance>/snapshots``."""
    folder = current_app.config.get("SANDBOX_SNAPSHOT_DIR") or os.path.join(
        current_app.instance_path, "snapshots")
    return Path(folder)


@functools.cache
def fingerprint() -> str:
    """A digest of the fixtures, the world generator's sources and the table layout."""
    from sandbox.catalog import fixtures_root

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    files = sorted(Path(str(fixtures_root())).rglob("*.yaml"))
    for name in _GENERATOR_SOURCES:
        target = package / name
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
        digest.update(f"{table.name}({','.join(c.name for c in table.columns)})".encode())
    return digest.hexdigest()[:16]


def snapshot_path(params: WorldParams) -> Path:
    """The snapshot file of ``params`` (worlds without as-of are keyed by today's date)."""
    day = params.as_of.isoformat() if params.as_of else f"live-{clock.wall_now().date()}"
    name = f"world-{params.seed}-{params.customers}c-{params.months}m-{day}-{fingerprint()}.db"
    return snapshot_dir() / name


def reset(params: WorldParams) -> dict:
    """Return the live database to a freshly seeded world of ``params``.

    Answers ``{"seed", "customers", "months", "as_of", "snapshot", "seconds"}`` where
    ``snapshot`` tells whether a stored snapshot was restored (False: seeded anew).
    """
    started = time.perf_counter()
    live = sqlite_path(db.engine.url)
    if live is None:
        _seed_here(params)
        reused = False
    else:
        path = snapshot_path(params)
        reused = path.exists()
        if not reused:
            build(params, path)
        restore(path, live)
    return {"seed": params.seed, "customers": params.customers, "months": params.months,
            "as_of": params.as_of, "snapshot": reused,
            "seconds": round(time.perf_counter() - started, 3)}


def _seed_here(params: WorldParams) -> None:
    from sandbox.services.seeding import seed_world

    db.session.remove()
    seed_world(seed=params.seed, customers=params.customers, months=params.months,
               as_of=params.as_of, fresh=True)
    record_origin(params)
    db.session.commit()
    clock.forget()


def build(params: WorldParams, path: Path) -> None:
    """Seed a world of ``params`` into a new file and store it as the snapshot ``path``."""
    from sandbox import create_app

    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.unlink(missing_ok=True)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}",
        "SANDBOX_HISTORY_MONTHS": params.months,
        "SANDBOX_CLOCK": current_app.config.get("SANDBOX_CLOCK"),
        "TESTING": current_app.testing,
    })
    try:
        with app.app_context():
            _seed_here(params)
            db.session.remove()
            db.engine.dispose()
        _to_rollback_journal(scratch)
        os.replace(scratch, path)
    finally:
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)


def save(params: WorldParams) -> Path:
    """Store the live world as the snapshot of ``params`` (call it right after seeding)."""
    live = sqlite_path(db.engine.url)
    if live is None:
        raise ValueError("snapshots need a SQLite database")
    path = snapshot_path(params)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    db.session.commit()
    with closing(sqlite3.connect(live)) as source, closing(sqlite3.connect(scratch)) as target:
        source.backup(target)
    _to_rollback_journal(scratch)
    os.replace(scratch, path)
    return path


def _to_rollback_journal(path: Path) -> None:
    """Fold the WAL into the file and leave it in rollback-journal mode (one file to copy)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def restore(snapshot: Path, live: Path) -> None:
    """Copy ``snapshot`` into the live database through SQLite's backup API."""
    from sandbox.database import SQLITE_BUSY_TIMEOUT_MS

    db.session.remove()
    with closing(sqlite3.connect(snapshot)) as source, \
            closing(sqlite3.connect(live, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as target:
        source.backup(target)
    clock.forget()
