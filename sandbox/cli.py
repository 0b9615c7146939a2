"""The ``sandbox`` command: seed, serve, export and reset the world."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click
from flask import Flask

from sandbox import create_app

database_option = click.option(
    "--database", "database_url", metavar="URL",
    help="SQLAlchemy database URL (default: SANDBOX_DATABASE_URL, else a SQLite file in the "
         "instance folder).",
)


def make_app(database_url: str | None = None, **config) -> Flask:
    """Create the app for a command, with ``--database`` applied when given."""
    overrides = {key: value for key, value in config.items() if value is not None}
    if database_url:
        overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    return create_app(overrides)


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


def run_seed(app: Flask, seed: int | None, customers: int | None, as_of, *, fresh: bool) -> None:
    """Seed the world of ``app`` and print the one-line summary."""
    from sandbox.services.seeding import format_summary, seed_world

    with app.app_context(), progress_bar("Seeding") as progress:
        summary = seed_world(
            seed=app.config["SANDBOX_SEED"] if seed is None else seed,
            customers=app.config["SANDBOX_CUSTOMERS"] if customers is None else customers,
            months=app.config["SANDBOX_HISTORY_MONTHS"],
            as_of=as_of.date() if as_of else None,
            fresh=fresh,
            progress=progress,
        )
    click.echo(format_summary(summary))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Sandbank: an open-banking sandbox of fictional banks."""


@main.command()
@seed_options
def seed(database_url, seed, customers, as_of) -> None:
    """Create the schema and generate the world."""
    run_seed(make_app(database_url), seed, customers, as_of, fresh=False)


@main.command()
@seed_options
def reset(database_url, seed, customers, as_of) -> None:
    """Drop everything and seed the world again."""
    run_seed(make_app(database_url), seed, customers, as_of, fresh=True)


@main.command()
@database_option
@click.option("--bank", "bank_id", metavar="ID", help="Export one bank only.")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-",
              help="Write to FILE instead of standard output.")
def export(database_url, bank_id, out) -> None:
    """Export the world as JSON (DESIGN.md §5), byte-identical for the same world."""
    from sandbox.services.export import UnknownBank, export_world

    app = make_app(database_url)
    with app.app_context():
        try:
            export_world(out, bank_id=bank_id)
        except UnknownBank as error:
            raise click.BadParameter(str(error), param_hint="--bank") from None


@main.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(database_url, host, port, workers) -> None:
    """Serve the sandbox with gunicorn, seeding first when the database is empty."""
    from sandbox.serving import serve as run_server

    run_server(database_url=database_url, host=host, port=port, workers=workers)
