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
                                    "-c", "show config"],
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


def _listeners(port: int) -> dict[int, set[str]]:
    """Process id -> inodes of the TCP sockets it listens on at ``port`` (from /proc)."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                listening.add(f"socket:[{fields[9]}]")
    owners: dict[int, set[str]] = {}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (process / "fd").iterdir()}
        except OSError:  # gone, or not ours to read
            continue
        if links & listening:
            owners[int(process.name)] = links & listening
    return owners


def test_each_worker_listens_on_a_socket_of_its_own(app, tmp_path):
    from sandbox.testing.server import sandbox_serve

    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "spread",
                       workers=2) as base:
        port = int(base.rsplit(":", 1)[1])
        owners = _listeners(port)
        answers = [requests.get(f"{base}/healthz", timeout=5).status_code for _ in range(20)]

    assert len(owners) == 2, owners  # the two workers; the master listens on nothing
    assert all(len(sockets) == 1 for sockets in owners.values())
    assert len(set.union(*owners.values())) == 2
    assert set(answers) == {200}
    log = (tmp_path / "spread" / "stderr.log").read_text()
    assert f"Listening at: {base} " in log and "a socket per worker (SO_REUSEPORT)" in log


def test_serve_refuses_a_port_another_server_listens_on(app, tmp_path):
    from sandbox.testing.server import sandbox_serve, serve_command

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with sandbox_serve(url, tmp_path / "first", workers=1) as base:
        port = int(base.rsplit(":", 1)[1])
        second = subprocess.run(serve_command(url, host="127.0.0.1", port=port, workers=1),
                                capture_output=True, text=True, timeout=120)
        still = requests.get(f"{base}/healthz", timeout=5)

    assert second.returncode != 0
    assert f"127.0.0.1:{port} is in use" in second.stderr
    assert still.status_code == 200
