"""Seeding: create the schema and generate the world (banks, merchants, demo clients,
personas and generated customers with their accounts and history).

Seeding replaces the database (it drops and creates the schema), so it is a job of its own,
never part of a request's unit of work: :func:`seed_world` commits when the world is written.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox import catalog, clock
from sandbox.errors import Conflict
from sandbox.database import create_schema, drop_schema, refresh_statistics
from sandbox.faults.seeding import seed_qa_extras
from sandbox.models import Bank, Merchant, OAuthClient, WorldState
from sandbox.synth.context import World, history_start, load_catalogue, make_world
from sandbox.synth.pipeline import PREPARED, Job, prepared_customers
from sandbox.synth.store import BulkWriter, bulk_path, constraints_deferred

COUNTED = ("banks", "customers", "accounts", "transactions", "receipts", "shipments")


class AlreadySeeded(Conflict):
    """The database already holds a world; ``sandbox reset`` replaces it (409)."""


def is_seeded(session: Session) -> bool:
    """True when the database holds a seeded world."""
    try:
        return session.get(WorldState, 1) is not None
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no schema yet
        session.rollback()
        return False


def generated_username(position: int) -> str:
    """The username of the ``position``-th generated customer (1-based)."""
    return f"customer_{position:05d}"


def seed_world(session: Session, *, seed: int, customers: int, months: int,
               as_of: date | None, fresh: bool, configured_clock: datetime | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Create the schema and generate the world up to the sandbox clock's now, all in the
    transaction of ``session`` (the caller's unit of work commits).

    ``as_of`` freezes the clock at noon UTC of that day; otherwise ``configured_clock`` (the
    ``SANDBOX_CLOCK`` setting) freezes it when given, else the wall clock runs. Returns counts
    per kind and ``seconds``. Raises :class:`AlreadySeeded` when a world exists and ``fresh``
    is false.
    """
    started = time.perf_counter()
    if not fresh and is_seeded(session):
        raise AlreadySeeded("the database already holds a world: run `sandbox reset` to "
                            "drop it and seed again")
    frozen = clock.as_of_instant(as_of) if as_of else configured_clock
    now = frozen or clock.wall_now()
    start = history_start(now.date(), months)
    banks = catalog.banks()
    personas = catalog.personas()
    counts = dict.fromkeys(COUNTED, 0)
    counts["banks"] = len(banks)
    jobs = [job for bank in banks
            for job in _jobs(make_world(seed, months, start, bank), personas, customers)]
    # The generators start first and work while the schema, banks and merchants are written.
    with prepared_customers(jobs, now, bulk_path(session.get_bind())) as stream:
        connection = session.connection()
        if fresh:
            drop_schema(connection)
        create_schema(connection)
        with constraints_deferred(connection), \
                BulkWriter(connection, counts, freeze=fresh) as writer:
            _write_merchants(writer)
            for position, bank in enumerate(banks):
                add_bank(session, bank, position, issued_at=now)
            for done, rows in enumerate(stream, start=1):
                writer.add(rows, prepared=PREPARED)
                if progress:
                    progress(done, len(jobs))
    seed_qa_extras(session, counts, seed=seed, customers=customers, months=months,
                   as_of=as_of, start=start, now=now, password_hash=_password_hash("pass_good"))
    session.add(WorldState(id=1, seed=seed, customers=customers, history_months=months,
                           seeded_at=clock.wall_now(), clock_frozen_at=frozen,
                           clock_offset_seconds=0.0, history_start=start))
    session.flush()
    refresh_statistics(connection)
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


def _write_merchants(writer: BulkWriter) -> None:
    merchants = load_catalogue().merchants.values()
    writer.insert(Merchant, [{"id": m.id, "name": m.name, "category": m.category, "mcc": m.mcc,
                              "website": m.website} for m in merchants])


def add_bank(session: Session, fixture: dict, position: int, *, issued_at: datetime) -> Bank:
    """Add the bank of ``fixture`` (a bank fixture's fields) with the demo clients registered
    at it (``fixtures/clients.yaml``, issued at ``issued_at``); flushed."""
    settings = {key: value for key, value in fixture.items()
                if key not in ("id", "name", "routing_number")}
    bank = Bank(id=fixture["id"], name=fixture["name"], routing_number=fixture["routing_number"],
                settings=settings, position=position)
    session.add(bank)
    for client in catalog.clients():
        row = OAuthClient(bank_id=bank.id, client_id=client["client_id"],
                          client_secret=client["client_secret"],
                          client_id_issued_at=int(issued_at.timestamp()),
                          client_secret_expires_at=0)
        row.set_client_metadata(client_metadata(client))
        session.add(row)
    session.flush()
    return bank


def client_metadata(client: dict) -> dict:
    """The registered metadata of a client fixture (everything but its id and secret)."""
    return {key: value for key, value in client.items()
            if key not in ("client_id", "client_secret")}


def format_summary(summary: dict) -> str:
    """One line: counts per kind, seconds, seed and as-of date."""
    counts = ", ".join(f"{summary[kind]:,} {kind if summary[kind] != 1 else kind[:-1]}"
                       for kind in COUNTED)
    return (f"Seeded {counts} in {summary['seconds']:.1f} s "
            f"(seed {summary['seed']}, as of {summary['as_of']})")
