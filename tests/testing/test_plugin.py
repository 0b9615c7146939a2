"""The pytest plugin as a user meets it: the example suite, copied into a project of its
own, run with the installed package (the plugin loads through its entry point)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.testing.server import sandbox_serve
from tests.conftest import fresh_database

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WORLD = ["--sandbox-seed", "42", "--sandbox-customers", "2", "--sandbox-months", "3",
         "--sandbox-as-of", "2026-03-01"]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory):
    """The snapshot folder the runs share, as a user's pytest cache would."""
    return tmp_path_factory.mktemp("snapshots")


@pytest.fixture
def project(tmp_path):
    """A user's project folder holding a copy of ``examples/``."""
    folder = tmp_path / "project"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def run_pytest(project: Path, snapshots: Path, *options: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "SANDBOX_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--sandbox-snapshots={snapshots}", *options],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.live(reason="the example suite's sandbox_server starts `sandbox serve`")
def test_the_example_suite_passes_from_another_directory(project, snapshots):
    result = run_pytest(project, snapshots)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout


def test_the_example_suite_runs_against_an_already_running_sandbox(project, snapshots,
                                                                   world_template):
    with fresh_database(project.parent, world_template) as database, \
            sandbox_serve(database, env={"SANDBOX_SNAPSHOT_DIR": str(snapshots),
                                         "SANDBOX_HISTORY_MONTHS": "3"}) as url:
        result = run_pytest(project, snapshots, "--sandbox-url", url, *WORLD,
                            "-k", "not test_in_process_app")
        in_process = run_pytest(project, snapshots, "--sandbox-url", url,
                                "-k", "test_in_process_app")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
    assert in_process.returncode == 1
    assert "cannot be used with --sandbox-url" in in_process.stdout


def test_the_old_name_of_the_control_plane_error_still_imports_with_a_warning():
    from sandbox.testing import admin

    with pytest.warns(DeprecationWarning, match="ControlPlaneError"):
        from sandbox.testing.admin import SandboxError
    assert SandboxError is admin.ControlPlaneError
    with pytest.raises(AttributeError):
        admin.NoSuchName  # noqa: B018
