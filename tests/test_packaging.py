"""The wheel carries everything (fixtures, templates, static files) and works from another
directory; the Dockerfile keeps its contract."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sqlite_only(
    reason="the installed wheel on its default database, a SQLite file in its instance folder"),
    pytest.mark.slow]
import requests

from sandbox import catalog
from sandbox.testing.server import free_port, running

ROOT = Path(__file__).resolve().parent.parent
#: What a source checkout needs to build the wheel.
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "sandbox", "fixtures")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel built from a clean copy of the sources (the checkout stays untouched)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(source)],
                   check=True, capture_output=True)
    (built,) = out.glob("sandbank-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """The wheel installed into its own folder; returns the environment to run it with."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "SANDBOX_HISTORY_MONTHS": "1"}
    env.pop("SANDBOX_DATABASE_URL", None)
    return target, env


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A working directory far from the checkout."""
    return tmp_path_factory.mktemp("elsewhere")


def run_sandbox(env, cwd, *args):
    return subprocess.run([sys.executable, "-m", "sandbox", *args], env=env, cwd=cwd,
                          check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def seeded(installed, elsewhere):
    """``python -m sandbox seed --customers 1`` run from ``elsewhere``: (database URL, output)."""
    _, env = installed
    url = f"sqlite:///{elsewhere / 'world.db'}"
    return url, run_sandbox(env, elsewhere, "seed", "--customers", "1", "--database", url).stdout


def test_wheel_ships_fixtures_templates_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    fixtures = {f"sandbox/fixtures/{path.relative_to(ROOT / 'fixtures')}"
                for path in (ROOT / "fixtures").rglob("*.yaml")}
    assert fixtures and fixtures <= names
    for name in ("sandbox/templates/base.html", "sandbox/templates/landing.html",
                 "sandbox/static/sandbank.css", "sandbox/__main__.py",
                 "sandbox/dialects/ukob/uk-ob-account-info-4.0.0.json",
                 "sandbox/dialects/cdr/documents/cdr-banking-1.36.0.json",
                 "sandbox/dialects/cdr/documents/cdr-common-1.36.0.json",
                 "sandbox/dialects/cdr/documents/LICENCE.md"):
        assert name in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "sandbox = sandbox.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_is_the_one_that_runs(installed, elsewhere):
    target, env = installed

    found = subprocess.run([sys.executable, "-c", "import sandbox; print(sandbox.__file__)"],
                           env=env, cwd=elsewhere, check=True, capture_output=True, text=True)

    assert Path(found.stdout.strip()).is_relative_to(target)


def test_seed_and_export_work_from_another_directory(installed, elsewhere, seeded):
    _, env = installed
    url, summary = seeded

    exported = run_sandbox(env, elsewhere, "export", "--bank", "juniper", "--database", url)

    assert f"{len(catalog.banks())} banks" in summary
    (bank,) = json.loads(exported.stdout)["banks"]
    usernames = {customer["username"] for customer in bank["customers"]}
    assert bank["id"] == "juniper"
    assert {"user_good", "customer_00001"} <= usernames
    assert "customer_00002" not in usernames


def test_installed_server_serves_pages_api_and_healthcheck(installed, elsewhere, seeded):
    target, env = installed
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(target / "bin" / "sandbox"), "serve", "--port", str(port), "--workers", "1",
               "--database", seeded[0]]

    with running(command, base, elsewhere / "serve-logs", env=env, cwd=elsewhere):
        banks = requests.get(f"{base}/banks", timeout=5)
        landing = requests.get(f"{base}/", timeout=5)
        stylesheet = requests.get(f"{base}/static/sandbank.css", timeout=5)
        healthcheck = subprocess.run(
            [sys.executable, "-c", docker_healthcheck().replace(":8000/", f":{port}/")],
            env=env, cwd=elsewhere, capture_output=True)

    assert banks.status_code == 200
    assert len(banks.json()["banks"]) >= 4
    assert landing.status_code == 200
    assert "user_good" in landing.text
    assert stylesheet.status_code == 200
    assert healthcheck.returncode == 0


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as ``(INSTRUCTION, arguments)``, continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = (line.strip() for line in text.splitlines())
    pairs = (line.split(None, 1) for line in lines if line and not line.startswith("#"))
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def docker_healthcheck() -> str:
    """The Python code the Dockerfile's HEALTHCHECK runs."""
    (arguments,) = [args for name, args in dockerfile() if name == "HEALTHCHECK"]
    exec_form = json.loads(arguments[arguments.index("CMD") + 3:])
    assert exec_form[:2] == ["python", "-c"]
    return exec_form[2]


def test_dockerfile_contract():
    instructions = dockerfile()
    values = {}
    for name, arguments in instructions:
        values.setdefault(name, []).append(arguments)

    assert values["FROM"] == ["${BASE}"]  # CI builds the same file on a Debian base
    (base,) = [arg.split("=", 1)[1] for arg in values["ARG"] if arg.startswith("BASE=")]
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", base)
    assert values["USER"][-1] not in ("root", "0")
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in values["RUN"])
    assert "/healthz" in docker_healthcheck()
    assert values["EXPOSE"] == ["8000"]
    command = json.loads(values["CMD"][-1])
    assert command[:2] == ["sandbox", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    instance = next(re.search(r"SANDBOX_INSTANCE_DIR=(\S+)", env)
                    for env in values["ENV"] if "SANDBOX_INSTANCE_DIR" in env).group(1)
    assert instance in values["VOLUME"]


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", "instance", "*.db"} <= set(ignored)
