"""The one way a test starts a live sandbox: ``sandbox serve`` (or any server command) in a
process, on a free loopback port or a unix socket, until ``/healthz`` answers.

:func:`sandbox_serve` is what tests and the plugin's ``sandbox_server`` fixture use;
:func:`running` starts any command that way (gunicorn with a conf file, an installed wheel's
``sandbox``); :func:`serve_command` is the command line, for a test that must hold the
process itself."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds a server has to answer ``/healthz`` before it is given up.
STARTUP_SECONDS = 60


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def database_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


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
    """Send one request over the unix socket at ``path``; the answer's body is read
    (``.body``)."""
    connection = UnixHTTPConnection(path)
    try:
        connection.request(method, url, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def _healthy(base: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base}/healthz", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _healthy_at(path: Path) -> bool:
    try:
        return unix_request(path, "GET", "/healthz").status == 200
    except OSError:
        return False


@contextmanager
def running(command: list[str], base: str, log_dir: Path | None = None, *,
            healthy: Callable[[], bool] | None = None, **popen) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends; yields the process once ``base``/healthz is 200
    (or ``healthy()`` is true). Its output goes to ``log_dir``/stdout.log and stderr.log (a
    temporary folder when none is given); ``popen`` goes to :class:`subprocess.Popen`. The
    process is stopped with SIGTERM (gunicorn's graceful shutdown), SIGKILL after 15 s."""
    healthy = healthy or (lambda: _healthy(base))
    with tempfile.TemporaryDirectory(prefix="sandbank-server-") as scratch:
        log_dir = Path(log_dir or scratch)
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / "stdout.log", "wb") as out, \
                open(log_dir / "stderr.log", "wb") as err:
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
                stop(process)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server process: gracefully first (its workers exit with it), then forced."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_command(database_url: str, *, host: str = "127.0.0.1", port: int | None = None,
                  unix_socket: Path | None = None, workers: int = 2,
                  args: tuple[str, ...] = ()) -> list[str]:
    """``python -m sandbox serve`` over ``database_url``, on ``host:port`` or
    ``unix_socket``; ``args`` go after the standard options."""
    command = [sys.executable, "-m", "sandbox", "serve", "--database", database_url,
               "--workers", str(workers)]
    if unix_socket is not None:
        command += ["--bind", f"unix:{unix_socket}"]
    else:
        command += ["--host", host, "--port", str(port)]
    return [*command, *args]


def base_url(host: str, port: int) -> str:
    """The URL a client reaches ``host:port`` at (every interface: the loopback one)."""
    reach = "127.0.0.1" if host == "0.0.0.0" else host
    return f"http://[{reach}]:{port}" if ":" in reach else f"http://{reach}:{port}"


@contextmanager
def sandbox_serve(database_url: str, log_dir: Path | None = None, *,
                  host: str = "127.0.0.1", unix_socket: Path | None = None, workers: int = 2,
                  env: dict | None = None, args: tuple[str, ...] = ()) -> Iterator[str]:
    """``sandbox serve`` over ``database_url`` on a free port of ``host``; yields its base URL.

    Bound to ``0.0.0.0`` (every interface), the base URL is still the loopback one. With
    ``unix_socket``, the server listens on that socket alone and yields its path (send
    requests with :func:`unix_request`). ``env`` is added to this process's environment;
    ``args`` go after the standard options; the logs go to ``log_dir`` (see
    :func:`running`)."""
    if unix_socket is not None:
        command = serve_command(database_url, unix_socket=unix_socket, workers=workers,
                                args=args)
        base, healthy = str(unix_socket), (lambda: _healthy_at(unix_socket))
    else:
        port = free_port(host)
        command = serve_command(database_url, host=host, port=port, workers=workers, args=args)
        base, healthy = base_url(host, port), None
    with running(command, base, log_dir, healthy=healthy,
                 env={**os.environ, **(env or {})}):
        yield base
