"""A throwaway PostgreSQL cluster of Debian's ``postgresql`` on loopback, in a temporary folder.

Used by ``make test-postgres`` (``python -m tests.pgcluster -- COMMAND``), by the benchmarks
and by tests that need two servers on one database. The cluster listens on 127.0.0.1 only, on
a free port, trusts local connections (it is a throwaway) and is removed when it stops.
As root (CI), the server runs as the ``postgres`` system user, since ``initdb`` refuses root.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The environment variable through which the test suite is pointed at a cluster: a
#: SQLAlchemy URL of its maintenance database (``.../postgres``).
ENV = "SANDBOX_TEST_POSTGRES"
STARTUP_SECONDS = 30


def bin_dir() -> Path:
    """The newest installed PostgreSQL server's ``bin`` folder (Debian's layout)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parent.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix and ids that run the server as a non-root user."""
    if os.geteuid() != 0:
        return [], None, None
    user = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], user.pw_uid, user.pw_gid


@contextmanager
def cluster(settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start a fresh cluster; yield the SQLAlchemy URL of its ``postgres`` database; stop it
    and remove its files when the block ends. ``settings`` are extra ``postgresql.conf``
    parameters (the defaults favour speed over durability: it is thrown away)."""
    binaries = bin_dir()
    prefix, uid, gid = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="sandbank-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if uid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    try:
        subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
                       check=True, **quiet)
        options = {"listen_addresses": "127.0.0.1", "port": str(port),
                   "unix_socket_directories": str(sockets), "fsync": "off",
                   "synchronous_commit": "off", "full_page_writes": "off",
                   "max_connections": "200", "shared_buffers": "256MB", **(settings or {})}
        flags = " ".join(f"-c {key}={value}" for key, value in options.items())
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", flags,
                        "-l", str(root / "server.log"), "-w", "-t", str(STARTUP_SECONDS),
                        "start"], check=True, **quiet)
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "stop"], **quiet)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    """``python -m tests.pgcluster -- COMMAND ...``: run COMMAND with ``SANDBOX_TEST_POSTGRES``
    set to a fresh cluster's URL, then stop the cluster; exit with COMMAND's status."""
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(main.__doc__, file=sys.stderr)
        return 2
    with cluster() as url:
        started = time.monotonic()
        status = subprocess.call(argv, env={**os.environ, ENV: url})
        print(f"pgcluster: {argv[0]} exited {status} after {time.monotonic() - started:.0f} s",
              file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
