"""Start a server process on a free loopback port (or a unix socket) and wait until it
answers ``/healthz``."""
from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import requests

STARTUP_SECONDS = 60


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at ``host`` right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a unix socket; the ``Host`` header is ``localhost`` unless the request
    names another."""

    def __init__(self, path: str | Path, timeout: float = 30):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def unix_request(path: str | Path, method: str, url: str,
                 headers: dict | None = None) -> http.client.HTTPResponse:
    """Send one request over the unix socket at ``path``; the answer's body is read."""
    connection = UnixHTTPConnection(path)
    try:
        connection.request(method, url, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


@contextmanager
def running(command: list[str], base: str, log_dir: Path, *,
            healthy: Callable[[], bool] | None = None, **popen):
    """Run ``command`` until the block ends; yields the process once ``base``/healthz is 200
    (or ``healthy()`` is true). Its output goes to ``log_dir``/stdout.log and stderr.log."""
    healthy = healthy or (lambda: _healthy(base))
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "stdout.log", "wb") as out, open(log_dir / "stderr.log", "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, **popen)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not healthy():
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


def _healthy_at(path: Path) -> bool:
    try:
        return unix_request(path, "GET", "/healthz").status == 200
    except OSError:
        return False


@contextmanager
def sandbox_serve(database_url: str, log_dir: Path, *, host: str = "127.0.0.1",
                  unix_socket: Path | None = None, workers: int = 2, env: dict | None = None,
                  args: tuple[str, ...] = ()):
    """``sandbox serve`` over ``database_url`` on a free port of ``host``; yields its base URL.

    Bound to ``0.0.0.0`` (every interface), the base URL is still the loopback one. With
    ``unix_socket``, the server listens on that socket alone and yields its path (send
    requests with :func:`unix_request`). ``env`` is added to this process's environment;
    ``args`` go after the standard options. The one launcher of a live server in the tests:
    fixtures and tests build on it."""
    import os
    import sys

    command = [str(Path(sys.executable).with_name("sandbox")), "serve",
               "--database", database_url, "--workers", str(workers)]
    if unix_socket is not None:
        command += ["--bind", f"unix:{unix_socket}"]
        base, healthy = str(unix_socket), (lambda: _healthy_at(unix_socket))
    else:
        port = free_port(host)
        command += ["--host", host, "--port", str(port)]
        reach = "127.0.0.1" if host == "0.0.0.0" else host
        base = f"http://[{reach}]:{port}" if ":" in reach else f"http://{reach}:{port}"
        healthy = None
    with running([*command, *args], base, log_dir, healthy=healthy,
                 env={**os.environ, **(env or {})}):
        yield base
