"""``sandbox seed``, ``reset`` and ``export``: make the world and write it out."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from sandbox import clock as sandbox_clock
from sandbox import unit_of_work
from sandbox.commands.common import database_option, in_unit_of_work
from sandbox.extensions import db


@contextmanager
def progress_bar(label: str) -> Iterator:
    """A progress callback ``(done, total)``: a bar on a terminal, silent when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    state: dict = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state.get("done", 0))
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def seed_options(command):
    """The options shared by ``seed`` and ``reset``."""
    command = click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
                           help="Freeze the sandbox clock at noon UTC of this day.")(command)
    command = click.option("--customers", type=click.IntRange(0, 100_000),
                           help="Generated customers per bank (default: SANDBOX_CUSTOMERS, 25).")(command)
    command = click.option("--seed", type=int,
                           help="World seed (default: SANDBOX_SEED, 42).")(command)
    return database_option(command)


def seed_and_report(app: Flask, seed: int | None, customers: int | None, as_of, *,
                    fresh: bool) -> None:
    """Seed the world of ``app`` in one unit of work and print the one-line summary (what
    ``sandbox seed`` and a first ``sandbox serve`` print)."""
    from sandbox.services.seeding import AlreadySeeded, format_summary, seed_world

    with app.app_context(), progress_bar("Seeding") as progress:
        try:
            with unit_of_work.transaction() as session:
                summary = seed_world(
                    session,
                    seed=app.config["SANDBOX_SEED"] if seed is None else seed,
                    customers=app.config["SANDBOX_CUSTOMERS"] if customers is None else customers,
                    months=app.config["SANDBOX_HISTORY_MONTHS"],
                    as_of=as_of.date() if as_of else None,
                    fresh=fresh,
                    configured_clock=sandbox_clock.configured_clock(),
                    progress=progress,
                )
        except AlreadySeeded as error:
            raise click.ClickException(str(error)) from None
    click.echo(format_summary(summary))


@click.command()
@seed_options
@with_appcontext
def seed(seed, customers, as_of) -> None:
    """Create the schema and generate the world."""
    seed_and_report(current_app._get_current_object(), seed, customers, as_of, fresh=False)


@click.command()
@seed_options
@with_appcontext
def reset(seed, customers, as_of) -> None:
    """Drop everything and seed the world again."""
    seed_and_report(current_app._get_current_object(), seed, customers, as_of, fresh=True)


@click.command()
@database_option
@click.option("--bank", "bank_id", metavar="ID", help="Export one bank only.")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
@in_unit_of_work
def export(bank_id, out) -> None:
    """Export the world as JSON (DESIGN.md §5), byte-identical for the same world."""
    from sandbox.services.export import UnknownBank, export_world

    try:
        export_world(db.session, out, now=sandbox_clock.now(),
                     base_url=current_app.config.get("SANDBOX_BASE_URL"), bank_id=bank_id)
    except UnknownBank as error:
        raise click.BadParameter(str(error), param_hint="--bank") from None


COMMANDS = (seed, reset, export)
