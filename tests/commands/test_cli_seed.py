"""``sandbox seed``, ``reset`` and ``export`` as a person at a terminal (or a script) uses them."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from sandbox.cli import main
from tests.conftest import fresh_database

SUMMARY = re.compile(r"^Seeded 4 banks, [\d,]+ customers, [\d,]+ accounts, [\d,]+ transactions, "
                     r"[\d,]+ receipts, [\d,]+ shipments in \d+\.\d s \(seed \d+, as of "
                     r"\d{4}-\d{2}-\d{2}\)$")
ENV = {"SANDBOX_HISTORY_MONTHS": "1"}


@pytest.fixture
def database(world_template, tmp_path) -> Iterator[str]:
    """A private copy of the seeded test world."""
    with fresh_database(tmp_path, world_template) as url:
        yield url


def test_seed_refuses_an_existing_world_in_one_line(runner, database):
    result = runner.invoke(main, ["seed", "--database", database], env=ENV)

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "sandbox reset" in result.output


def test_reset_reseeds_quietly_with_one_summary_line(runner, database):
    result = runner.invoke(main, ["reset", "--database", database, "--seed", "9",
                                  "--customers", "1", "--as-of", "2025-11-20"], env=ENV)
    exported = json.loads(runner.invoke(main, ["export", "--database", database,
                                               "--bank", "juniper"]).output)

    assert result.exit_code == 0, result.output
    assert SUMMARY.match(result.output.rstrip("\n"))
    assert result.output.count("\n") == 1
    assert "(seed 9, as of 2025-11-20)" in result.output
    assert exported["seed"] == 9 and exported["as_of"] == "2025-11-20T12:00:00Z"
    usernames = [customer["username"] for customer in exported["banks"][0]["customers"]]
    assert "customer_00001" in usernames and "customer_00002" not in usernames


def test_export_one_bank_to_a_file(runner, database, tmp_path):
    target = tmp_path / "juniper.json"
    to_file = runner.invoke(main, ["export", "--database", database, "--bank", "juniper",
                                   "--out", str(target)])
    to_stdout = runner.invoke(main, ["export", "--database", database, "--bank", "juniper"])

    assert to_file.exit_code == to_stdout.exit_code == 0
    assert target.read_bytes() == to_stdout.stdout_bytes
    assert [bank["id"] for bank in json.loads(to_stdout.output)["banks"]] == ["juniper"]


def test_export_of_an_unknown_bank_says_so(runner, database):
    result = runner.invoke(main, ["export", "--database", database, "--bank", "atlantis"])

    assert result.exit_code == 2
    assert "atlantis" in result.output and "--bank" in result.output
