"""The ``sandbox`` command on Flask's CLI: ``app.test_cli_runner()`` runs any command against
a given app, each command is one unit of work, and a ``SandboxError`` is an error message."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from sandbox import unit_of_work
from sandbox.cli import SandboxGroup, main
from sandbox.commands.common import in_unit_of_work
from sandbox.errors import NotFound
from sandbox.extensions import db
from sandbox.models import Bank


def test_the_test_cli_runner_runs_a_command_against_the_app(app):
    result = app.test_cli_runner().invoke(main, ["clock"])

    assert result.exit_code == 0, result.output
    assert "now" in json.loads(result.output)


def test_a_sandbox_error_is_a_message_and_the_work_is_rolled_back(app):
    group = SandboxGroup(name="sandbox")

    @group.command()
    @in_unit_of_work
    def rename() -> None:
        db.session.get(Bank, "juniper").name = "Renamed"
        db.session.flush()
        raise NotFound("there is no such thing")

    result = app.test_cli_runner().invoke(group, ["rename"])

    assert result.exit_code == 1
    assert result.output == "Error: there is no such thing\n"
    with app.app_context():
        assert db.session.get(Bank, "juniper").name != "Renamed"


def test_a_command_commits_its_work_when_it_returns(app):
    group = SandboxGroup(name="sandbox")

    @group.command()
    @in_unit_of_work
    def rename() -> None:
        db.session.get(Bank, "juniper").name = "Renamed"

    @group.command()
    @with_appcontext
    def show() -> None:
        with unit_of_work.transaction() as session:
            click.echo(session.get(Bank, "juniper").name)

    assert app.test_cli_runner().invoke(group, ["rename"]).exit_code == 0
    assert app.test_cli_runner().invoke(group, ["show"]).output == "Renamed\n"
