"""What the commands share: the ``--database`` option, one unit of work per command, JSON
output and scenario documents read from a file."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import ScriptInfo, with_appcontext

from sandbox import unit_of_work

#: ``ScriptInfo.data`` key: the URL given with ``--database``.
DATABASE_URL = "database_url"


def _remember_database(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(ScriptInfo).data[DATABASE_URL] = value


database_option = click.option(
    "--database", metavar="URL", expose_value=False, callback=_remember_database,
    help="SQLAlchemy database URL (default: SANDBOX_DATABASE_URL, else a SQLite file in the "
         "instance folder).",
)


def in_unit_of_work(callback: Callable) -> Callable:
    """Run a command in the app's context (the app is built after its ``--database``) and in
    one unit of work: committed when the command returns, rolled back when it raises."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        with unit_of_work.transaction():
            return callback(*args, **kwargs)

    return with_appcontext(run)


def print_json(data) -> None:
    """Print ``data`` as indented JSON with sorted keys."""
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def read_document(path: Path) -> dict:
    """A YAML or JSON document from ``path``, or a clear error naming the file."""
    from sandbox.services import scenarios

    try:
        return scenarios.parse_document(path.read_text(encoding="utf-8"),
                                        scenarios.mimetype_of(path))
    except scenarios.DocumentError as error:
        raise click.ClickException(f"{path}: {error}") from None


def invalid(path: Path | None, error) -> click.ClickException:
    """The message of a scenario that is invalid: one line per wrong field."""
    lines = [f"  {e['path']}: {e['message']}" for e in error.flat()]
    return click.ClickException(f"{path or 'The spec'} is invalid, nothing was changed:\n"
                                + "\n".join(lines))
