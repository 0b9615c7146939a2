"""A live sandbox for a test session: ``sandbox serve`` on a free loopback port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_SECONDS = 60


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """``python -m sandbox serve`` over ``database_url``, started and stopped by a test
    session. ``env`` adds ``SANDBOX_*`` settings for the server process."""

    def __init__(self, database_url: str, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._command = [sys.executable, "-m", "sandbox", "serve", "--database", database_url,
                         "--host", "127.0.0.1", "--port", str(self.port),
                         "--workers", str(workers)]
        self._env = {**os.environ, **env}
        self._log = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        """Start the server and wait until ``/healthz`` answers."""
        self._process = subprocess.Popen(self._command, env=self._env, stdout=subprocess.DEVNULL,
                                         stderr=self._log)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with opener.open(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"sandbox serve did not start:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        """What the server wrote to stderr so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        """Stop the server: gunicorn's quick shutdown (SIGINT), SIGKILL after 15 s."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


def database_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"
