"""Transport: POST one event body to a receiver, safely, and say how it went.

The host is resolved once and every address checked (no private destinations, no DNS
rebinding); redirects are not followed; only an excerpt of an answer is kept.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sandbox.errors import Forbidden
from sandbox.network import is_loopback_host, is_public_address, private_host_reason

DEFAULT_TIMEOUT = 10.0
#: How much of an answer's body is read.
MAX_ANSWER_BYTES = 2_048
#: How many characters of an error answer (or a connection error) the log keeps.
EXCERPT_CHARS = 200
USER_AGENT = "Sandbank-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    """How one POST ended."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


class DestinationRefused(Forbidden):
    """The receiver's host is not a public destination (or, for a loopback URL, resolves
    off loopback). Only ever reaches the attempt log, never a response."""


def vetted_addresses(host: str, port: int) -> list[str]:
    """Resolve ``host`` once and answer its addresses, every one checked: public
    (``sandbox.network.is_public_address``), or loopback for a loopback host (the
    development rule). Raises ``DestinationRefused``; ``OSError`` when it does not resolve.
    The caller connects to these addresses, never to the name again (no DNS rebinding)."""
    loopback = is_loopback_host(host)
    reason = None if loopback else private_host_reason(host)
    if reason is not None:
        raise DestinationRefused(reason)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    for address in addresses:
        allowed = ipaddress.ip_address(address).is_loopback if loopback else \
            is_public_address(address)
        if not allowed:
            raise DestinationRefused(f"{host} resolves to {address}, which is not a public "
                                     "address.")
    return addresses


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers."""
    failure: OSError = OSError(f"no address to connect to on port {port}")
    for address in addresses:
        try:
            connection = socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
            continue
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection
    raise failure


class VettedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection whose socket goes to vetted addresses; ``Host`` stays the URL's."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.addresses, self.port, self.timeout)


class VettedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection whose socket goes to vetted addresses; ``Host``, the TLS server
    name and the certificate check stay the URL's host."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(_connect(self.addresses, self.port, self.timeout),
                                         server_hostname=self.host)


def excerpt(text: bytes | str) -> str:
    """What the log keeps of a receiver's answer or an error: at most ``EXCERPT_CHARS``
    printable characters, control characters and runs of white space made one space."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url`` and report how it went: the host is resolved and every
    address checked first (``vetted_addresses``), the connection goes to a checked address,
    redirects are not followed (a 3xx is a failed attempt), and only an excerpt of an error
    answer is kept."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    started = time.monotonic()
    connection = None
    try:
        port = parts.port or (443 if https else 80)
        addresses = vetted_addresses(parts.hostname or "", port)
        connection = (VettedHTTPSConnection if https else VettedHTTPConnection)(
            parts.hostname, port, addresses, timeout)
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(MAX_ANSWER_BYTES)
        status, error = answer.status, None
        if not 200 <= status < 300:
            error = f"HTTP {status}: {excerpt(text)}".strip()
    except DestinationRefused as refused:
        status, error = None, f"Destination refused: {excerpt(str(refused))}"
    except (OSError, http.client.HTTPException) as problem:
        status, error = None, f"{type(problem).__name__}: {excerpt(str(problem))}"
    finally:
        if connection is not None:
            connection.close()
    return Outcome(status, error, int((time.monotonic() - started) * 1000))
