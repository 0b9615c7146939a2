"""Customers generated in a second process while this one writes to the database.

Simulating customers takes about half of a seeding's CPU, converting and inserting their rows
the other half, so on a machine with two or more cores a forked generator process feeds rows
through a bounded queue (memory stays flat) while the caller writes them. Where ``fork`` is
unavailable, or for a handful of customers, generation runs inline. Either way the rows, and
their order, are the same.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sandbox.synth.context import World
from sandbox.synth.generate import CustomerRows, customer_rows
from sandbox.synth.store import prepare

#: What the generator process converts for the database; the writer converts the rest (this
#: split gives the two processes about the same work).
PREPARED = ("transactions",)
#: Rows (transactions) per message from the generator process.
MESSAGE_ROWS = 10_000
#: Messages in flight at most: bounds the memory the queue holds.
QUEUE_DEPTH = 4
#: Below this many customers, a second process costs more than it saves.
PARALLEL_FROM = 8
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Job:
    """One customer to generate."""

    world: World
    username: str
    position: int
    persona: dict | None
    password_hash: str


class GeneratorFailed(RuntimeError):
    """The generator process raised; the message carries its traceback."""


def _rows(job: Job, now: datetime, sqlite: bool) -> CustomerRows:
    return prepare(customer_rows(job.world, job.username, job.position, job.persona, now,
                                 job.password_hash), sqlite, PREPARED)


def _produce(jobs: list[Job], now: datetime, sqlite: bool, channel) -> None:
    try:
        batch: list[CustomerRows] = []
        size = 0
        for job in jobs:
            rows = _rows(job, now, sqlite)
            batch.append(rows)
            size += len(rows.transactions)
            if size >= MESSAGE_ROWS:
                channel.put(batch)
                batch, size = [], 0
        channel.put(batch)
        channel.put(None)
    except Exception:
        channel.put(GeneratorFailed(traceback.format_exc()))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def prepared_customers(jobs: list[Job], now: datetime, sqlite: bool) -> Iterator[CustomerRows]:
    """Every job's rows as of ``now``, in order, with the ``PREPARED`` kinds converted for the
    database (``sqlite``: its fast path)."""
    if len(jobs) < PARALLEL_FROM or not _can_fork():
        for job in jobs:
            yield _rows(job, now, sqlite)
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=QUEUE_DEPTH)
    process = context.Process(target=_produce, args=(jobs, now, sqlite, channel),
                              name="sandbox-generator", daemon=True)
    process.start()
    try:
        while True:
            try:
                message = channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    raise GeneratorFailed("the generator process exited unexpectedly") from None
                continue
            if message is None:
                break
            if isinstance(message, GeneratorFailed):
                raise message
            yield from message
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
