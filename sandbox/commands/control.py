"""The commands that do what the ``/sandbox`` control plane does: load scenarios, move the
clock, mint tokens, add customers and transactions, read the access log, set faults, lift
sign-in cool-downs, rotate signing keys."""
from __future__ import annotations

import json
from pathlib import Path

import click
import marshmallow as ma

from sandbox import clock as sandbox_clock
from sandbox.commands.common import (database_option, in_unit_of_work, invalid, print_json,
                                     read_document)
from sandbox.extensions import db


@click.command()
@database_option
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_unit_of_work
def load(path) -> None:
    """Load a scenario document (YAML or JSON) in one transaction; prints what it added."""
    from sandbox.control.world import LoadResultSchema
    from sandbox.services import scenarios

    document = read_document(path)
    try:
        result = scenarios.load(db.session, document, now=sandbox_clock.now())
    except scenarios.ScenarioInvalid as error:
        raise invalid(path, error) from None
    print_json(LoadResultSchema().dump(result))


@click.command()
@database_option
@click.option("--advance", metavar="DURATION",
              help="Move forward by an ISO 8601 duration (P3D, PT2H).")
@click.option("--set", "to", metavar="INSTANT", help="Move forward to an ISO 8601 instant.")
@click.option("--freeze/--unfreeze", default=None, help="Stop or restart the clock.")
@in_unit_of_work
def clock(advance, to, freeze) -> None:
    """Show the sandbox clock, or move it forward (the world catches up)."""
    from sandbox.control.clock import ClockMoveSchema, ClockSchema
    from sandbox.services import clockctl

    configured = sandbox_clock.configured_clock()
    if advance is None and to is None and freeze is None:
        print_json(ClockSchema().dump(clockctl.state(db.session, configured=configured)))
        return
    raw = {key: value for key, value in (("advance", advance), ("set", to),
                                         ("freeze", freeze)) if value is not None}
    try:
        move = ClockMoveSchema().load(raw)
    except ma.ValidationError as error:
        raise click.UsageError(str(error.messages)) from None
    state = clockctl.move(db.session, advance=move.get("advance"), to=move.get("set"),
                          freeze=move.get("freeze"), configured=configured)
    print_json(ClockSchema().dump(state))


@click.command()
@database_option
@click.argument("bank_id")
@click.argument("username")
@click.option("--scope", help="Space-separated scopes (default: every data scope).")
@click.option("--client", "client_id", default="demo-app", show_default=True)
@click.option("--account", "account_ids", multiple=True, help="Only this account (repeatable).")
@in_unit_of_work
def token(bank_id, username, scope, client_id, account_ids) -> None:
    """Mint an authorized consent and its tokens without the consent screen."""
    from sandbox.control.tokens import MintedSchema, MintSchema
    from sandbox.oauth.minting import mint_token

    raw = {"username": username, "client_id": client_id}
    if scope:
        raw["scope"] = scope
    if account_ids:
        raw["account_ids"] = list(account_ids)
    try:
        spec = MintSchema().load(raw)
    except ma.ValidationError as error:
        raise click.UsageError(str(error.messages)) from None
    minted = mint_token(db.session, bank_id, spec.pop("client_id"), spec.pop("username"),
                        spec.pop("scope"), spec.pop("account_ids"), now=sandbox_clock.now(),
                        **spec)
    print_json(MintedSchema().dump(minted))


@click.command()
@database_option
@click.argument("bank_id")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                required=False)
@in_unit_of_work
def customer(bank_id, spec) -> None:
    """Create a customer at BANK_ID from a partial spec (YAML or JSON file; none: a generated
    regular customer); prints its credentials and ids, like POST /sandbox/banks/{id}/customers."""
    from sandbox.control.customers import CreatedCustomerSchema, NewCustomerSchema
    from sandbox.services import scenarios

    raw = read_document(spec) if spec else {}
    try:
        created = scenarios.create_customer(db.session, bank_id,
                                            NewCustomerSchema().load(raw),
                                            now=sandbox_clock.now())
    except ma.ValidationError as error:
        raise invalid(spec, scenarios.ScenarioInvalid(error.messages)) from None
    except scenarios.ScenarioInvalid as error:
        raise invalid(spec, error) from None
    print_json(CreatedCustomerSchema().dump(created))


@click.command()
@database_option
@click.argument("bank_id")
@click.argument("account_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_unit_of_work
def inject(bank_id, account_id, path) -> None:
    """Add the transactions of a YAML or JSON file (``{"transactions": [...]}``) to an account,
    pending or posted, like POST /sandbox/banks/{id}/accounts/{id}/transactions."""
    from sandbox.control.customers import InjectedSchema, InjectSchema
    from sandbox.services import scenarios

    try:
        body = InjectSchema().load(read_document(path))
        injected = scenarios.add_transactions(db.session, bank_id, account_id,
                                              body["transactions"], now=sandbox_clock.now())
    except ma.ValidationError as error:
        raise invalid(path, scenarios.ScenarioInvalid(error.messages)) from None
    except scenarios.ScenarioInvalid as error:
        raise invalid(path, error) from None
    print_json(InjectedSchema().dump(injected))


@click.command("access-log")
@database_option
@click.option("--bank", "bank_id")
@click.option("--client", "client_id")
@click.option("--customer", "customer_id")
@click.option("--username")
@click.option("--consent", "consent_id")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@in_unit_of_work
def access_log(**filters) -> None:
    """Show who read what, newest first (one JSON object per line)."""
    from sandbox.control.access_log import AccessLogEntrySchema
    from sandbox.services.access_log import access_log_page

    page = access_log_page(db.session, **{k: v for k, v in filters.items() if v is not None})
    schema = AccessLogEntrySchema()
    for entry in page["data"]:
        click.echo(json.dumps(schema.dump(entry), sort_keys=True))


@click.command()
@database_option
@click.option("--set", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Replace the rules with those of FILE (YAML or JSON, as PUT /sandbox/faults).")
@click.option("--clear", is_flag=True, help="Remove every rule and maintenance window.")
@in_unit_of_work
def faults(rules_file, clear) -> None:
    """Show, replace or clear the fault rules and maintenance windows."""
    import yaml

    from sandbox.control.faults import FaultsSchema
    from sandbox.faults import rules

    if clear:
        rules.clear(db.session)
    elif rules_file is not None:
        try:
            config = FaultsSchema().load(yaml.safe_load(rules_file.read_text("utf-8")))
        except (ma.ValidationError, yaml.YAMLError) as error:
            detail = error.messages if isinstance(error, ma.ValidationError) else error
            raise click.ClickException(f"{rules_file}: {detail}") from None
        unknown = rules.unknown_banks(db.session, config)
        if unknown:
            raise click.ClickException(f"{rules_file}: {unknown}")
        rules.replace(db.session, config["rules"], config["maintenance"])
    print_json(FaultsSchema().dump(rules.listing(db.session)))


@click.command("clear-throttle")
@database_option
@click.argument("bank_id")
@click.option("--username", help="Only this username (default: every username at the bank).")
@in_unit_of_work
def clear_throttle(bank_id, username) -> None:
    """Lift the cool-downs of failed sign-ins and one-time codes at a bank."""
    from sandbox.models import Bank
    from sandbox.services import throttle

    if db.session.get(Bank, bank_id) is None:
        raise click.BadParameter(f"there is no bank {bank_id!r}", param_hint="BANK_ID")
    cleared = throttle.clear(db.session, bank_id, username)
    click.echo(f"Cleared {cleared} sign-in counter{'s' if cleared != 1 else ''} at {bank_id}.")


@click.group()
def keys() -> None:
    """The banks' ID token signing keys."""


@keys.command()
@database_option
@click.option("--bank", "bank_ids", metavar="ID", multiple=True,
              help="Rotate this bank's key only (repeatable; default: every bank).")
@in_unit_of_work
def rotate(bank_ids) -> None:
    """Start signing with a new key; the old one stays published until its ID tokens have
    expired."""
    from sandbox.services import banks
    from sandbox.services import keys as signing_keys

    known = {bank.id: bank for bank in banks.list_banks(db.session)}
    unknown = sorted(set(bank_ids) - set(known))
    if unknown:
        raise click.BadParameter(f"no bank {unknown[0]!r}", param_hint="--bank")
    for bank_id in bank_ids or known:
        key = signing_keys.rotate(db.session, bank_id, now=sandbox_clock.now(),
                                  wall_now=sandbox_clock.wall_now())
        click.echo(f"{bank_id}: now signing with {key.kid} (generation {key.generation})")


COMMANDS = (load, clock, token, customer, inject, access_log, faults, clear_throttle,
            keys)
