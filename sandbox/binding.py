"""What the server is bound to, and the trust that follows from it (DESIGN.md §7).

The serving layer (``sandbox serve`` and ``gunicorn.conf.py``) records every socket gunicorn
listens on in each worker's app. Whether the server is "on loopback" is decided from those
addresses alone, never from anything a client sends (``Host``, ``SERVER_NAME``): the default
admin key and a Host header outside ``SANDBOX_BASE_URL`` are accepted only there.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_smorest import abort
from werkzeug.exceptions import SecurityError

from sandbox.network import is_loopback_host

#: App config key: the bound sockets in ``--bind`` syntax, set by the serving layer.
BINDS = "SANDBOX_BINDS"
#: Host names always trusted, so that probes on the machine itself (health checks) answer.
#: (Werkzeug's trusted-host match cannot express an IPv6 literal.)
LOOPBACK_NAMES = ("localhost", "127.0.0.1")


class UntrustedBinding(RuntimeError):
    """The server listens off loopback and nothing says which Host names are its own."""


def bind_name(address) -> str:
    """A gunicorn listener address as ``--bind`` text: ``host:port``, ``[v6]:port``,
    ``unix:path`` or ``fd://n``."""
    if isinstance(address, tuple):
        host, port = address[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if isinstance(address, int):
        return f"fd://{address}"
    return f"unix:{address}"


def all_loopback(binds: Iterable[str]) -> bool:
    """True when there is at least one bind and every one is a loopback TCP address (a unix
    socket or an inherited descriptor can be reached from anywhere a proxy forwards)."""
    binds = tuple(binds)
    return bool(binds) and all(
        not bind.startswith(("unix:", "fd://")) and is_loopback_host(bind) for bind in binds)


def trusted_hosts(config: Mapping, binds: Iterable[str]) -> list[str] | None:
    """Flask's ``TRUSTED_HOSTS`` for a server bound to ``binds``: None (every Host) on
    loopback when nothing is configured; else the host of ``SANDBOX_BASE_URL``, the
    ``SANDBOX_TRUSTED_HOSTS`` and the loopback names.

    Raises :class:`UntrustedBinding` off loopback when neither variable is set."""
    base = config.get("SANDBOX_BASE_URL")
    names = [urlsplit(base).hostname] if base else []
    names += [name for name in config.get("SANDBOX_TRUSTED_HOSTS") or () if name not in names]
    binds = tuple(binds)
    if not names:
        if all_loopback(binds):
            return None
        raise UntrustedBinding(
            f"Sandbank listens on {', '.join(binds) or 'an unknown socket'}, off loopback, and "
            "would take any Host header as its public URL. Set SANDBOX_BASE_URL to the URL "
            "clients use (e.g. https://sandbank.example.com), or SANDBOX_TRUSTED_HOSTS to the "
            "host names they use.")
    return names + [name for name in LOOPBACK_NAMES if name not in names]


def record(app: Flask, binds: Iterable[str]) -> None:
    """Tell ``app`` the sockets its server listens on (a gunicorn worker hook calls this)."""
    app.config[BINDS] = tuple(binds)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config, app.config[BINDS])


def listens_on_loopback() -> bool:
    """True when every socket the server is bound to is a loopback address.

    Under gunicorn the serving layer's record decides; gunicorn started without it (its
    sockets unknown) is off loopback. Werkzeug's own server reports its bind address in
    ``SERVER_NAME``; the test client reports ``localhost``."""
    binds = current_app.config.get(BINDS)
    if binds is None:
        if "gunicorn.socket" in request.environ:
            return False
        binds = (request.environ.get("SERVER_NAME") or "",)
    return all_loopback(binds)


def refuse_untrusted_host() -> None:
    """``before_request`` hook, first of all: a Host header outside ``TRUSTED_HOSTS`` is a
    400 problem+json before any other hook runs (Flask defers it to the view)."""
    if isinstance(request.routing_exception, SecurityError):
        abort(400, message="The Host header names a host this server does not answer for "
                           "(SANDBOX_BASE_URL, SANDBOX_TRUSTED_HOSTS).")

