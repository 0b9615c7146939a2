"""``sandbox serve`` and ``gunicorn -c gunicorn.conf.py``: seed an empty database first, then
serve with the requested host, port and workers."""
import os
import re
import subprocess
import sqlite3
import sys
from pathlib import Path

import pytest
import requests

from sandbox.testing.server import free_port, running

BIN = Path(sys.executable).parent
#: A world small enough to seed in a moment: personas only, one month of history.
TINY_WORLD = {"SANDBOX_CUSTOMERS": "0", "SANDBOX_HISTORY_MONTHS": "1"}


@pytest.fixture
def tiny_env(tmp_path):
    """The environment of a server over a fresh database file with a tiny world."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    return {**os.environ, **TINY_WORLD, "SANDBOX_DATABASE_URL": url}


def seeded_at(env) -> str:
    path = env["SANDBOX_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT seeded_at FROM world_state").fetchone()[0]


@pytest.mark.sqlite_only(reason="seeds a fresh SQLite file, the first start of a new install")
def test_serve_seeds_an_empty_database_and_honours_host_port_workers(tmp_path, tiny_env):
    host, port = "127.0.0.2", free_port("127.0.0.2")
    base = f"http://{host}:{port}"
    env = dict(tiny_env)
    command = [str(BIN / "sandbox"), "serve", "--database", env.pop("SANDBOX_DATABASE_URL"),
               "--host", host, "--port", str(port), "--workers", "2"]

    with running(command, base, tmp_path / "first", env=env):
        ready = requests.get(f"{base}/readyz", timeout=5)
        banks = requests.get(f"{base}/banks", timeout=5).json()["banks"]
        detail = requests.get(f"{base}/banks/{banks[0]['id']}", timeout=5).json()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)

    assert ready.status_code == 200
    assert len(banks) >= 4
    assert banks[0]["issuer"] == f"{base}/banks/{banks[0]['id']}"
    assert detail["generated_customers"]["count"] == 0
    log = (tmp_path / "first" / "stderr.log").read_text()
    assert f"Listening at: {base}" in log
    assert len(re.findall(r"Booting worker with pid", log)) == 2

    first_seeded_at = seeded_at(tiny_env)
    with running(command[:-1] + ["1"], base, tmp_path / "second", env=env):
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
    assert seeded_at(tiny_env) == first_seeded_at


@pytest.mark.sqlite_only(reason="seeds a fresh SQLite file, the first start of a new install")
def test_gunicorn_with_the_conf_file_seeds_then_serves(tmp_path, tiny_env):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    root = Path(__file__).resolve().parent.parent
    command = [str(BIN / "gunicorn"), "-c", str(root / "gunicorn.conf.py"),
               "-b", f"127.0.0.1:{port}", "sandbox:create_app()"]

    with running(command, base, tmp_path / "gunicorn", env=tiny_env, cwd=tmp_path):
        ready = requests.get(f"{base}/readyz", timeout=5)

    assert ready.status_code == 200
    log = (tmp_path / "gunicorn" / "stderr.log").read_text()
    assert len(re.findall(r"Booting worker with pid", log)) == 2


def test_gunicorn_with_the_conf_file_refuses_a_unix_socket_with_no_trusted_host(tmp_path,
                                                                                 tiny_env):
    root = Path(__file__).resolve().parent.parent
    command = [str(BIN / "gunicorn"), "-c", str(root / "gunicorn.conf.py"),
               "-b", f"unix:{tmp_path / 'sandbank.sock'}", "sandbox:create_app()"]

    with pytest.raises(RuntimeError, match="did not start"):
        with running(command, "http://127.0.0.1:9", tmp_path / "gunicorn", env=tiny_env,
                     cwd=tmp_path):
            pass

    log = (tmp_path / "gunicorn" / "stderr.log").read_text()
    assert f"listens on unix:{tmp_path / 'sandbank.sock'}, off loopback" in log


def test_serve_takes_bind_or_host_and_port_not_both(runner):
    from sandbox.cli import main

    result = runner.invoke(main, ["serve", "--bind", "unix:/tmp/sandbank.sock", "--port", "9"])

    assert result.exit_code == 2
    assert "--bind replaces --host and --port" in result.output


def test_two_servers_on_one_machine_keep_their_own_control_socket_and_stop_cleanly(
        app, tmp_path):
    from sandbox.serving import control_socket
    from sandbox.testing.server import sandbox_serve

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    listeners = {}
    with sandbox_serve(url, tmp_path / "one", workers=1) as one, \
            sandbox_serve(url, tmp_path / "two", workers=1) as two:
        sockets = {base: control_socket(("127.0.0.1", int(base.rsplit(":", 1)[1])))
                   for base in (one, two)}
        for base, path in sockets.items():
            shown = subprocess.run([str(BIN / "gunicornc"), "-s", path, "-j",
                                    "-c", "show listeners"],
                                   capture_output=True, text=True, timeout=30, check=True)
            listeners[base] = shown.stdout
            assert requests.get(f"{base}/readyz", timeout=5).status_code == 200

    for base, path in sockets.items():
        assert base.removeprefix("http://") in listeners[base]
        assert not os.path.exists(path)
    for name in ("one", "two"):
        log = (tmp_path / name / "stderr.log").read_text()
        assert "Failed to start control socket" not in log
        assert "Shutting down: Master" in log
