"""Helpers for the world's tests: seed and export through the ``sandbox`` command."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from sandbox.cli import main

#: Short history keeps these worlds quick to seed (user_business still gets 10,000+ rows).
ENV = {"SANDBOX_HISTORY_MONTHS": "1"}


class Cli:
    """``sandbox seed`` and ``sandbox export`` on database files under a temporary folder."""

    def __init__(self, factory):
        self.factory = factory
        self.runner = CliRunner()

    def url(self, name: str) -> str:
        return f"sqlite:///{self.factory.getbasetemp() / (name + '.db')}"

    def seed(self, name: str, *options: str) -> str:
        """Seed world ``name``; returns the command's output."""
        result = self.runner.invoke(main, ["seed", "--database", self.url(name), *options],
                                    env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    def export(self, name: str, *options: str) -> bytes:
        """Export world ``name``; returns the bytes written."""
        result = self.runner.invoke(main, ["export", "--database", self.url(name), *options],
                                    env=ENV)
        assert result.exit_code == 0, result.output
        return result.stdout_bytes


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Seed and export worlds through the command line."""
    return Cli(tmp_path_factory)
