"""Customers generated in other processes while this one writes to the database.

Simulating and converting customers takes about two thirds of a seeding's CPU, inserting
them the rest, so on a machine with two or more cores forked generator processes feed rows
through bounded queues (memory stays flat) while the caller writes them. The customers are
cut into small blocks dealt out in turn to the generators, and the writer takes the blocks
back in the same turn, so rows arrive in job order. Where ``fork`` is unavailable, or for a
handful of customers, generation runs inline. Either way the rows, and their order, are the
same.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sandbox.synth.context import World
from sandbox.synth.generate import CustomerRows, customer_rows
from sandbox.synth.store import KINDS, prepare

#: What the generator processes convert for the database: everything, so the writer only
#: inserts.
PREPARED = KINDS
#: Generator processes at most (the writer is one more process).
GENERATORS = 2
#: Customers per block, the unit dealt to a generator and sent back in one message.
BLOCK_CUSTOMERS = 4
#: Messages in flight per generator at most: bounds the memory the queues hold.
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


def _rows(job: Job, now: datetime, path: str) -> CustomerRows:
    return prepare(customer_rows(job.world, job.username, job.position, job.persona, now,
                                 job.password_hash), path, PREPARED)


def _produce(blocks: list[list[Job]], now: datetime, path: str, channel) -> None:
    try:
        for block in blocks:
            channel.put([_rows(job, now, path) for job in block])
    except Exception:
        channel.put(GeneratorFailed(traceback.format_exc()))


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


@contextmanager
def prepared_customers(jobs: list[Job], now: datetime,
                       path: str) -> Iterator[Iterator[CustomerRows]]:
    """Yield an iterator of every job's rows as of ``now``, in order, with the ``PREPARED``
    kinds converted for the bulk ``path`` (:func:`sandbox.synth.store.bulk_path`). The
    generator processes start on entry, so they work while the caller prepares the database;
    they are stopped on exit."""
    if len(jobs) < PARALLEL_FROM or not _can_fork():
        yield (_rows(job, now, path) for job in jobs)
        return
    blocks = [jobs[start:start + BLOCK_CUSTOMERS]
              for start in range(0, len(jobs), BLOCK_CUSTOMERS)]
    count = max(1, min(GENERATORS, (os.cpu_count() or 1), len(blocks)))
    context = multiprocessing.get_context("fork")
    channels = [context.Queue(maxsize=QUEUE_DEPTH) for _ in range(count)]
    processes = [context.Process(target=_produce, args=(blocks[turn::count], now, path,
                                                        channels[turn]),
                                 name=f"sandbox-generator-{turn}", daemon=True)
                 for turn in range(count)]
    for process in processes:
        process.start()
    try:
        yield (rows for index in range(len(blocks))
               for rows in _receive(channels[index % count], processes[index % count]))
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def _receive(channel, process) -> list[CustomerRows]:
    """The next block from one generator; raises if it failed or died."""
    while True:
        try:
            message = channel.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not process.is_alive():
                raise GeneratorFailed("a generator process exited unexpectedly") from None
            continue
        if isinstance(message, GeneratorFailed):
            raise message
        return message
