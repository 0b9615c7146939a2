"""The ``sandbox`` command: seed, serve, export and reset the world."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import marshmallow as ma
from flask import Flask

from sandbox import clock as sandbox_clock
from sandbox import create_app, unit_of_work
from sandbox.binding import bind_name
from sandbox.serving import THREADS

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
    from sandbox.extensions import db
    from sandbox.services.seeding import AlreadySeeded, format_summary, seed_world

    with app.app_context(), progress_bar("Seeding") as progress:
        try:
            summary = seed_world(
                db.session,
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
    from sandbox.extensions import db
    from sandbox.services.export import UnknownBank, export_world

    app = make_app(database_url)
    with app.app_context():
        try:
            export_world(db.session, out, now=sandbox_clock.now(),
                         base_url=app.config.get("SANDBOX_BASE_URL"), bank_id=bank_id)
        except UnknownBank as error:
            raise click.BadParameter(str(error), param_hint="--bank") from None


@main.command()
@database_option
@click.option("--host", help="Interface to listen on.  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(0, 65535), help="Port.  [default: 8000]")
@click.option("--bind", "binds", multiple=True, metavar="ADDRESS",
              help="Listen on ADDRESS instead, in gunicorn's syntax (HOST:PORT, [V6]:PORT, "
                   "unix:PATH); repeat for several.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=THREADS, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker; all but one may hold a request for a fault.")
def serve(database_url, host, port, binds, workers, threads) -> None:
    """Serve the sandbox with gunicorn, seeding first when the database is empty."""
    from sandbox.serving import serve as run_server

    if binds and (host is not None or port is not None):
        raise click.UsageError("--bind replaces --host and --port: give one or the other.")
    if not binds:
        binds = (bind_name((host or "127.0.0.1", 8000 if port is None else port)),)
    run_server(database_url=database_url, binds=list(binds), workers=workers, threads=threads)


@main.command()
@database_option
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds to wait between passes when nothing is due.")
@click.option("--exit-with-parent", is_flag=True, hidden=True,
              help="Stop when the parent process dies (the worker `sandbox serve` starts).")
def worker(database_url, poll, exit_with_parent) -> None:
    """Deliver webhooks until stopped. Run any number, on any host sharing the database."""
    import logging
    import signal
    import threading

    from sandbox.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run(make_app(database_url), stop, poll_interval=poll, exit_with_parent=exit_with_parent)


def _print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@main.command()
@database_option
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(database_url, path) -> None:
    """Load a scenario document (YAML or JSON) in one transaction; prints what it added."""
    from sandbox.control.world import LoadResultSchema
    from sandbox.services import scenarios

    app = make_app(database_url)
    with app.app_context():
        document = _read_document(path)
        try:
            with unit_of_work.transaction() as session:
                result = scenarios.load(session, document, now=sandbox_clock.now())
        except scenarios.ScenarioInvalid as error:
            raise _invalid(path, error) from None
    _print_json(LoadResultSchema().dump(result))


@main.command()
@database_option
@click.option("--advance", metavar="DURATION",
              help="Move forward by an ISO 8601 duration (P3D, PT2H).")
@click.option("--set", "to", metavar="INSTANT", help="Move forward to an ISO 8601 instant.")
@click.option("--freeze/--unfreeze", default=None, help="Stop or restart the clock.")
def clock(database_url, advance, to, freeze) -> None:
    """Show the sandbox clock, or move it forward (the world catches up)."""
    from sandbox.control.clock import ClockMoveSchema, ClockSchema
    from sandbox.services import clockctl

    app = make_app(database_url)
    with app.app_context():
        configured = sandbox_clock.configured_clock()
        if advance is None and to is None and freeze is None:
            with unit_of_work.transaction() as session:
                _print_json(ClockSchema().dump(clockctl.state(session, configured=configured)))
            return
        raw = {key: value for key, value in (("advance", advance), ("set", to),
                                             ("freeze", freeze)) if value is not None}
        try:
            move = ClockMoveSchema().load(raw)
            with unit_of_work.transaction() as session:
                state = clockctl.move(session, advance=move.get("advance"), to=move.get("set"),
                                      freeze=move.get("freeze"), configured=configured)
        except ma.ValidationError as error:
            raise click.UsageError(str(error.messages)) from None
        except (clockctl.ClockError, clockctl.MoveTooLong) as error:
            raise click.ClickException(str(error)) from None
    _print_json(ClockSchema().dump(state))


@main.command()
@database_option
@click.argument("bank_id")
@click.argument("username")
@click.option("--scope", help="Space-separated scopes (default: every data scope).")
@click.option("--client", "client_id", default="demo-app", show_default=True)
@click.option("--account", "account_ids", multiple=True, help="Only this account (repeatable).")
def token(database_url, bank_id, username, scope, client_id, account_ids) -> None:
    """Mint an authorized consent and its tokens without the consent screen."""
    from sandbox.control.tokens import MintedSchema, MintSchema
    from sandbox import clock, unit_of_work
    from sandbox.oauth.minting import MintError, mint_token

    raw = {"username": username, "client_id": client_id}
    if scope:
        raw["scope"] = scope
    if account_ids:
        raw["account_ids"] = list(account_ids)
    app = make_app(database_url)
    with app.app_context():
        try:
            spec = MintSchema().load(raw)
            with unit_of_work.transaction() as session:
                minted = mint_token(session, bank_id, spec.pop("client_id"),
                                    spec.pop("username"), spec.pop("scope"),
                                    spec.pop("account_ids"), now=clock.now(), **spec)
        except ma.ValidationError as error:
            raise click.UsageError(str(error.messages)) from None
        except MintError as error:
            raise click.ClickException(str(error)) from None
    _print_json(MintedSchema().dump(minted))


def _read_document(path: Path) -> dict:
    """A YAML or JSON document from ``path``, or a clear error naming the file."""
    from sandbox.services import scenarios

    try:
        return scenarios.parse_document(path.read_text(encoding="utf-8"),
                                        scenarios.mimetype_of(path))
    except scenarios.DocumentError as error:
        raise click.ClickException(f"{path}: {error}") from None


def _invalid(path: Path | None, error) -> click.ClickException:
    lines = [f"  {e['path']}: {e['message']}" for e in error.flat()]
    return click.ClickException(f"{path or 'The spec'} is invalid, nothing was changed:\n"
                                + "\n".join(lines))


@main.command()
@database_option
@click.argument("bank_id")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                required=False)
def customer(database_url, bank_id, spec) -> None:
    """Create a customer at BANK_ID from a partial spec (YAML or JSON file; none: a generated
    regular customer); prints its credentials and ids, like POST /sandbox/banks/{id}/customers."""
    from sandbox.control.customers import CreatedCustomerSchema, NewCustomerSchema
    from sandbox.errors import NotFound
    from sandbox.services import scenarios

    app = make_app(database_url)
    with app.app_context():
        raw = _read_document(spec) if spec else {}
        try:
            with unit_of_work.transaction() as session:
                created = scenarios.create_customer(session, bank_id,
                                                    NewCustomerSchema().load(raw),
                                                    now=sandbox_clock.now())
        except ma.ValidationError as error:
            raise _invalid(spec, scenarios.ScenarioInvalid(error.messages)) from None
        except scenarios.ScenarioInvalid as error:
            raise _invalid(spec, error) from None
        except NotFound as error:
            raise click.ClickException(str(error)) from None
    _print_json(CreatedCustomerSchema().dump(created))


@main.command()
@database_option
@click.argument("bank_id")
@click.argument("account_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def inject(database_url, bank_id, account_id, path) -> None:
    """Add the transactions of a YAML or JSON file (``{"transactions": [...]}``) to an account,
    pending or posted, like POST /sandbox/banks/{id}/accounts/{id}/transactions."""
    from sandbox.control.customers import InjectedSchema, InjectSchema
    from sandbox.errors import NotFound
    from sandbox.services import scenarios

    app = make_app(database_url)
    with app.app_context():
        try:
            body = InjectSchema().load(_read_document(path))
            with unit_of_work.transaction() as session:
                injected = scenarios.add_transactions(session, bank_id, account_id,
                                                      body["transactions"],
                                                      now=sandbox_clock.now())
        except ma.ValidationError as error:
            raise _invalid(path, scenarios.ScenarioInvalid(error.messages)) from None
        except scenarios.ScenarioInvalid as error:
            raise _invalid(path, error) from None
        except NotFound as error:
            raise click.ClickException(str(error)) from None
    _print_json(InjectedSchema().dump(injected))


@main.command("access-log")
@database_option
@click.option("--bank", "bank_id")
@click.option("--client", "client_id")
@click.option("--customer", "customer_id")
@click.option("--username")
@click.option("--consent", "consent_id")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
def access_log(database_url, **filters) -> None:
    """Show who read what, newest first (one JSON object per line)."""
    from sandbox.control.access_log import AccessLogEntrySchema
    from sandbox.extensions import db
    from sandbox.services.access_log import access_log_page

    app = make_app(database_url)
    with app.app_context():
        page = access_log_page(db.session, **{k: v for k, v in filters.items() if v is not None})
    schema = AccessLogEntrySchema()
    for entry in page["data"]:
        click.echo(json.dumps(schema.dump(entry), sort_keys=True))


@main.command()
@database_option
@click.option("--set", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Replace the rules with those of FILE (YAML or JSON, as PUT /sandbox/faults).")
@click.option("--clear", is_flag=True, help="Remove every rule and maintenance window.")
def faults(database_url, rules_file, clear) -> None:
    """Show, replace or clear the fault rules and maintenance windows."""
    import yaml

    from sandbox import unit_of_work
    from sandbox.control.faults import FaultsSchema
    from sandbox.faults import rules

    app = make_app(database_url)
    with app.app_context(), unit_of_work.transaction() as session:
        if clear:
            rules.clear(session)
        elif rules_file is not None:
            try:
                config = FaultsSchema().load(yaml.safe_load(rules_file.read_text("utf-8")))
            except (ma.ValidationError, yaml.YAMLError) as error:
                detail = error.messages if isinstance(error, ma.ValidationError) else error
                raise click.ClickException(f"{rules_file}: {detail}") from None
            unknown = rules.unknown_banks(session, config)
            if unknown:
                raise click.ClickException(f"{rules_file}: {unknown}")
            rules.replace(session, config["rules"], config["maintenance"])
        listed = rules.listing(session)
    _print_json(FaultsSchema().dump(listed))


@main.command("clear-throttle")
@database_option
@click.argument("bank_id")
@click.option("--username", help="Only this username (default: every username at the bank).")
def clear_throttle(database_url, bank_id, username) -> None:
    """Lift the cool-downs of failed sign-ins and one-time codes at a bank."""
    from sandbox.extensions import db
    from sandbox.models import Bank
    from sandbox import unit_of_work
    from sandbox.services import throttle

    app = make_app(database_url)
    with app.app_context():
        if db.session.get(Bank, bank_id) is None:
            raise click.BadParameter(f"there is no bank {bank_id!r}", param_hint="BANK_ID")
        with unit_of_work.transaction() as session:
            cleared = throttle.clear(session, bank_id, username)
    click.echo(f"Cleared {cleared} sign-in counter{'s' if cleared != 1 else ''} at {bank_id}.")


@main.group()
def keys() -> None:
    """The banks' ID token signing keys."""


@keys.command()
@database_option
@click.option("--bank", "bank_ids", metavar="ID", multiple=True,
              help="Rotate this bank's key only (repeatable; default: every bank).")
def rotate(database_url, bank_ids) -> None:
    """Start signing with a new key; the old one stays published until its ID tokens have
    expired."""
    from sandbox.extensions import db
    from sandbox.services import banks
    from sandbox import clock, unit_of_work
    from sandbox.services import keys as signing_keys

    app = make_app(database_url)
    with app.app_context():
        known = {bank.id: bank for bank in banks.list_banks(db.session)}
        unknown = sorted(set(bank_ids) - set(known))
        if unknown:
            raise click.BadParameter(f"no bank {unknown[0]!r}", param_hint="--bank")
        for bank_id in bank_ids or known:
            with unit_of_work.transaction() as session:
                key = signing_keys.rotate(session, bank_id, now=clock.now(),
                                          wall_now=clock.wall_now())
            click.echo(f"{bank_id}: now signing with {key.kid} (generation {key.generation})")
