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
