"""``sandbox serve`` and ``sandbox worker``: the processes that run the sandbox."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from sandbox.binding import bind_name
from sandbox.commands.common import DATABASE_URL, database_option
from sandbox.serving import THREADS


@click.command()
@database_option
@click.option("--host", help="Interface to listen on.  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(0, 65535), help="Port.  [default: 8000]")
@click.option("--bind", "binds", multiple=True, metavar="ADDRESS",
              help="Listen on ADDRESS instead, in gunicorn's syntax (HOST:PORT, [V6]:PORT, "
                   "unix:PATH); repeat for several.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=THREADS, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker; all but one may hold a request for a fault.")
@click.pass_obj
def serve(info, host, port, binds, workers, threads) -> None:
    """Serve the sandbox with gunicorn, seeding first when the database is empty."""
    from sandbox.serving import serve as run_server

    if binds and (host is not None or port is not None):
        raise click.UsageError("--bind replaces --host and --port: give one or the other.")
    if not binds:
        binds = (bind_name((host or "127.0.0.1", 8000 if port is None else port)),)
    run_server(database_url=info.data.get(DATABASE_URL), binds=list(binds), workers=workers,
               threads=threads)


@click.command()
@database_option
@click.option("--poll", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds to wait between passes when nothing is due.")
@click.option("--exit-with-parent", is_flag=True, hidden=True,
              help="Stop when the parent process dies (the worker `sandbox serve` starts).")
@with_appcontext
def worker(poll, exit_with_parent) -> None:
    """Deliver webhooks until stopped. Run any number, on any host sharing the database."""
    import logging
    import signal
    import threading

    from sandbox.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run(current_app._get_current_object(), stop, poll_interval=poll,
        exit_with_parent=exit_with_parent)


COMMANDS = (serve, worker)
