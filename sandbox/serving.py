"""Serving with gunicorn: the settings ``sandbox serve`` and ``gunicorn.conf.py`` share."""
from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import tempfile

from gunicorn.app.base import BaseApplication

from sandbox import binding, create_app, database
from sandbox.commands.world import seed_and_report
from sandbox.config import from_env
from sandbox.faults import limit_holds

#: Threads per worker. A request held by a fault (``X-Sandbox-Fault: timeout``) sleeps in one
#: thread; a worker lends at most all its threads but one to holds, so it always answers.
THREADS = 8


def control_socket(address: tuple[str, int] | str) -> str:
    """The gunicorn control socket (``gunicornc -s PATH``) of a server whose first bound
    address is ``address`` (``(host, port)``, or a unix socket's path): one per server, so
    that servers on one machine do not take each other's."""
    name = "-".join(map(str, address)) if isinstance(address, tuple) else os.path.basename(address)
    return os.path.join(tempfile.gettempdir(), f"sandbank-{name}.ctl")


def gunicorn_settings(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, *,
                      binds: list[str] | None = None, threads: int = THREADS) -> dict:
    """Gunicorn settings: threaded workers (``gthread``), bound to ``binds`` (gunicorn
    ``--bind`` syntax) or else ``host:port``, logs to stdout/stderr, no preloading (each
    worker opens its own database connections after the fork), and the hooks that refuse an
    untrusted binding, seed an empty database, tell each worker its sockets and give the
    server a control socket of its own."""
    return {
        "bind": list(binds) if binds else [binding.bind_name((host, port))],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "preload_app": False,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "on_starting": prepare,
        "post_worker_init": tell_worker,
        "when_ready": when_ready,
        "on_exit": stop_delivery_worker,
    }


def prepare(server) -> None:
    """Gunicorn ``on_starting`` hook (the master, before it binds): refuse to serve off
    loopback with no trusted host name (gunicorn prints the reason and exits 1), give each
    worker a socket of its own on TCP (:func:`spread_connections`), then seed the database
    when it has no world yet."""
    app_config = getattr(server.app, "app_config", {})
    binding.trusted_hosts({**from_env(), **app_config},
                          [binding.bind_name(address) for address in server.cfg.address])
    spread_connections(server)
    ensure_seeded(app_config)


class PortInUse(RuntimeError):
    """Another process listens on an address the server is to bind."""


def spread_connections(server) -> None:
    """When every address is TCP, have each worker bind its own listening socket with
    ``SO_REUSEPORT`` (gunicorn's ``reuse_port``), so that the kernel spreads new connections
    over the workers. With one socket shared by all, the worker that wakes first accepts a
    burst of keep-alive connections and keeps them: a client with a few connections (a test
    suite, wrk) was often served by one worker of two, at half the throughput. First check
    that nothing listens there yet (a socket without ``SO_REUSEPORT``, as gunicorn's own
    would be): ``SO_REUSEPORT`` would otherwise let a second server share the port
    silently. Raises :class:`PortInUse`."""
    addresses = server.cfg.address
    if not all(isinstance(address, tuple) for address in addresses):
        return
    for address in addresses:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise PortInUse(f"{binding.bind_name(address)} is in use: {error.strerror}. "
                                "Stop what listens there, or choose another --port.") from error
    server.cfg.set("reuse_port", True)
    server.log.info("Listening at: %s (%s), a socket per worker (SO_REUSEPORT)",
                    ", ".join(f"http://{binding.bind_name(address)}" for address in addresses),
                    server.pid)


def tell_worker(worker) -> None:
    """Gunicorn ``post_worker_init`` hook: tell the worker's app the sockets it listens on,
    let it hold requests in all its threads but one, then move every object alive now (the
    app, its modules, schemas and compiled statements) out of the garbage collector's reach.

    Those objects live as long as the worker; without :func:`gc.freeze` every full
    collection walks them all again, and that pause (hundreds of milliseconds on a loaded
    machine, see docs/operations.md) lands on whichever request triggered it: the data API's
    p99."""
    binding.record(worker.wsgi, [binding.bind_name(sock.cfg_addr) for sock in worker.sockets])
    limit_holds(worker.wsgi, worker.cfg.threads - 1)
    gc.collect()
    gc.freeze()


_delivery_worker: subprocess.Popen | None = None


def when_ready(server) -> None:
    """Gunicorn ``when_ready`` hook: unless a control socket was chosen, name it after the
    bound address (:func:`control_socket`) instead of gunicorn's one per user; then start
    the webhook delivery worker."""
    if server.cfg.control_socket == server.cfg.settings["control_socket"].default:
        server.cfg.set("control_socket", control_socket(server.cfg.address[0]))
    start_delivery_worker(server)


def start_delivery_worker(server) -> None:
    """Gunicorn ``when_ready`` hook: start one webhook delivery worker (``sandbox worker``)
    beside the master, over the same database; it stops with the master."""
    global _delivery_worker
    database = getattr(server.app, "app_config", {}).get("SQLALCHEMY_DATABASE_URI")
    command = [sys.executable, "-m", "sandbox", "worker", "--exit-with-parent"]
    if database:
        command += ["--database", database]
    _delivery_worker = subprocess.Popen(command)


def stop_delivery_worker(server) -> None:
    """Gunicorn ``on_exit`` hook: stop the webhook delivery worker."""
    if _delivery_worker is not None and _delivery_worker.poll() is None:
        _delivery_worker.terminate()
        try:
            _delivery_worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _delivery_worker.kill()


class SandboxServer(BaseApplication):
    """Gunicorn application whose workers each build their own app with ``create_app``."""

    def __init__(self, settings: dict, app_config: dict):
        self.settings = settings
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app(self.app_config)


def ensure_seeded(app_config: dict) -> None:
    """Create the schema and seed the default world when the database has none yet."""
    from sandbox.extensions import db
    from sandbox.services.seeding import is_seeded

    app = create_app(app_config)
    with app.app_context():
        seeded = is_seeded(db.session)
    if not seeded:
        seed_and_report(app, None, None, None, fresh=False)
    database.dispose(app)


def serve(database_url: str | None, binds: list[str], workers: int, threads: int) -> None:
    """Run gunicorn in the foreground (it seeds an empty database first)."""
    app_config = {"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    settings = gunicorn_settings(workers=workers, binds=binds, threads=threads)
    SandboxServer(settings, app_config).run()
