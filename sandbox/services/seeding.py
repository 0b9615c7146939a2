"""Seeding: create the schema and generate the world (banks, merchants, demo clients,
personas and generated customers with their accounts and history)."""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from sandbox import catalog, clock
from sandbox.database import create_schema, drop_schema, refresh_statistics
from sandbox.extensions import db
from sandbox.faults.seeding import seed_qa_extras
from sandbox.models import Bank, Merchant, OAuthClient, WorldState
from sandbox.synth.context import World, history_start, load_catalogue, make_world
from sandbox.synth.pipeline import PREPARED, Job, prepared_customers
from sandbox.synth.store import BulkWriter, bulk_path, constraints_deferred

COUNTED = ("banks", "customers", "accounts", "transactions", "receipts", "shipments")


class AlreadySeeded(Exception):
    """The database already holds a world; ``sandbox reset`` replaces it."""


def is_seeded() -> bool:
    """True when the database holds a seeded world."""
    try:
        return db.session.get(WorldState, 1) is not None
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no schema yet
        db.session.rollback()
        return False


def generated_username(position: int) -> str:
    """The username of the ``position``-th generated customer (1-based)."""
    return f"customer_{position:05d}"


def seed_world(*, seed: int, customers: int, months: int, as_of: date | None, fresh: bool,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Create the schema and generate the world up to the sandbox clock's now.

    ``as_of`` freezes the clock at noon UTC of that day; otherwise the app's ``SANDBOX_CLOCK``
    (if set) freezes it, else the wall clock runs. Returns counts per kind and ``seconds``.
    Raises :class:`AlreadySeeded` when a world exists and ``fresh`` is false.
    """
    started = time.perf_counter()
    if not fresh and is_seeded():
        raise AlreadySeeded("the database already holds a world: run `sandbox reset` to "
                            "drop it and seed again")
    frozen = clock.as_of_instant(as_of) if as_of else _configured_clock()
    now = frozen or clock.wall_now()
    start = history_start(now.date(), months)
    banks = catalog.banks()
    personas = catalog.personas()
    counts = dict.fromkeys(COUNTED, 0)
    counts["banks"] = len(banks)
    jobs = [job for bank in banks
            for job in _jobs(make_world(seed, months, start, bank), personas, customers)]
    # The generators start first and work while the schema, banks and merchants are written.
    with prepared_customers(jobs, now, bulk_path(db.engine)) as stream:
        if fresh:
            drop_schema()
        create_schema()
        connection = db.session.connection()
        with constraints_deferred(connection), BulkWriter(connection, counts) as writer:
            _write_merchants(writer)
            for position, bank in enumerate(banks):
                _write_bank(bank, position, now)
            for done, rows in enumerate(stream, start=1):
                writer.add(rows, prepared=PREPARED)
                if progress:
                    progress(done, len(jobs))
    seed_qa_extras(db.session, counts, seed=seed, customers=customers, months=months,
                   as_of=as_of, start=start, now=now, password_hash=_password_hash("pass_good"))
    db.session.add(WorldState(id=1, seed=seed, customers=customers, history_months=months,
                              seeded_at=clock.wall_now(), clock_frozen_at=frozen,
                              clock_offset_seconds=0.0, history_start=start))
    db.session.commit()
    refresh_statistics()
    clock.forget()
    return {**counts, "seed": seed, "as_of": now.date().isoformat(),
            "seconds": round(time.perf_counter() - started, 2)}


def _jobs(world: World, personas: tuple[dict, ...], customers: int) -> list[Job]:
    """The personas and generated customers of one bank; each password hashed once."""
    people = [(persona["username"], index, persona) for index, persona in enumerate(personas)]
    people += [(generated_username(n), len(personas) + n - 1, None)
               for n in range(1, customers + 1)]
    return [Job(world, username, position, persona,
                _password_hash(persona["password"] if persona else "pass_good"))
            for username, position, persona in people]


@functools.cache
def _password_hash(password: str) -> str:
    """Hashing is slow by design: each distinct password is hashed once per process."""
    return generate_password_hash(password)


def _configured_clock() -> datetime | None:
    raw = current_app.config.get("SANDBOX_CLOCK")
    return clock.parse_instant(raw) if raw else None


def _write_merchants(writer: BulkWriter) -> None:
    merchants = load_catalogue().merchants.values()
    writer.insert(Merchant, [{"id": m.id, "name": m.name, "category": m.category, "mcc": m.mcc,
                              "website": m.website} for m in merchants])


def _write_bank(bank: dict, position: int, now: datetime) -> None:
    settings = {key: value for key, value in bank.items()
                if key not in ("id", "name", "routing_number")}
    db.session.add(Bank(id=bank["id"], name=bank["name"], routing_number=bank["routing_number"],
                        settings=settings, position=position))
    for client in catalog.clients():
        row = OAuthClient(bank_id=bank["id"], client_id=client["client_id"],
                          client_secret=client["client_secret"],
                          client_id_issued_at=int(now.timestamp()), client_secret_expires_at=0)
        row.set_client_metadata({key: value for key, value in client.items()
                                 if key not in ("client_id", "client_secret")})
        db.session.add(row)
    db.session.flush()


def format_summary(summary: dict) -> str:
    """One line: counts per kind, seconds, seed and as-of date."""
    counts = ", ".join(f"{summary[kind]:,} {kind if summary[kind] != 1 else kind[:-1]}"
                       for kind in COUNTED)
    return (f"Seeded {counts} in {summary['seconds']:.1f} s "
            f"(seed {summary['seed']}, as of {summary['as_of']})")
