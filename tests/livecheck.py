"""Start a server process on a free loopback port and wait until it answers ``/healthz``."""
from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

STARTUP_SECONDS = 60


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at ``host`` right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def running(command: list[str], base: str, log_dir: Path, **popen):
    """Run ``command`` until the block ends; yields the process once ``base``/healthz is 200.
    Its output goes to ``log_dir``/stdout.log and stderr.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "stdout.log", "wb") as out, open(log_dir / "stderr.log", "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, **popen)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command} did not start:\n"
                                       f"{(log_dir / 'stderr.log').read_text()[-3000:]}")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


@contextmanager
def sandbox_serve(database_url: str, log_dir: Path, *, host: str = "127.0.0.1",
                  workers: int = 2, env: dict | None = None, args: tuple[str, ...] = ()):
    """``sandbox serve`` over ``database_url`` on a free port of ``host``; yields its base URL.

    ``env`` is added to this process's environment; ``args`` go after the standard options.
    The one launcher of a live server in the tests: fixtures and tests build on it."""
    import os
    import sys

    port = free_port(host)
    command = [str(Path(sys.executable).with_name("sandbox")), "serve",
               "--database", database_url, "--host", host, "--port", str(port),
               "--workers", str(workers), *args]
    base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    with running(command, base, log_dir, env={**os.environ, **(env or {})}):
        yield base
