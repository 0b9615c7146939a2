"""The ``sandbox`` command: Flask's CLI with Sandbank's commands only.

Every command builds the app after its own ``--database`` option has been read, runs in one
unit of work, and prints a :class:`~sandbox.errors.SandboxError` as an error message (exit
status 1), the same detail the API renders as problem+json. ``app.test_cli_runner()``
invokes it against a given app: ``runner.invoke(main, ["clock"])`` (``--database`` is then
not used)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from sandbox import create_app
from sandbox.commands import control, server, world
from sandbox.commands.common import DATABASE_URL
from sandbox.errors import SandboxError


def app_for_command() -> Flask:
    """The app of the running command: ``create_app`` over its ``--database`` when given."""
    url = click.get_current_context().ensure_object(ScriptInfo).data.get(DATABASE_URL)
    return create_app({"SQLALCHEMY_DATABASE_URI": url} if url else None)


class SandboxGroup(FlaskGroup):
    """A :class:`~flask.cli.FlaskGroup` with no options or commands but Sandbank's: no
    ``--app``/``--env-file``/``--debug``, no ``run``/``shell``/``routes``, no ``FLASK_*``
    option variables, no ``.env`` loading, and no app built to list or find a command (it
    is built when a command runs, once its ``--database`` is known)."""

    def __init__(self, **extra) -> None:
        super().__init__(create_app=app_for_command, add_default_commands=False,
                         add_version_option=False, load_dotenv=False, set_debug_flag=False,
                         context_settings={"help_option_names": ["-h", "--help"],
                                           "auto_envvar_prefix": None},
                         **extra)
        self.params = [param for param in self.params
                       if param.name not in {"env_file", "app", "debug"}]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return click.Group.list_commands(self, ctx)

    def invoke(self, ctx: click.Context):
        """Run the command; a :class:`SandboxError` it lets through becomes its message."""
        try:
            return super().invoke(ctx)
        except SandboxError as error:
            raise click.ClickException(error.detail) from None


@click.group(cls=SandboxGroup)
def main() -> None:
    """Sandbank: an open-banking sandbox of fictional banks."""


for command in (*world.COMMANDS, *server.COMMANDS, *control.COMMANDS):
    main.add_command(command)
