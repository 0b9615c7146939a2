"""Network addresses: what counts as loopback, for every rule that allows plain http or a
development default only there."""
from __future__ import annotations

import ipaddress
import socket


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ::1 (with or without port or brackets)."""
    if not host:
        return False
    name = host.strip()
    if name.startswith("["):
        name = name[1:name.find("]")] if "]" in name else name[1:]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


#: Host names of cloud instance-metadata services (they answer on link-local or private
#: addresses, and a resolver inside a cloud answers them).
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
    "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com",
    "metadata.platformequinix.com",
})
#: Name suffixes that never name a public host (RFC 6761 ``localhost``, mDNS ``local``,
#: ICANN's private-use ``internal``, RFC 8375 ``home.arpa``).
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".localdomain")
#: The NAT64 well-known prefix (RFC 6052): its last 32 bits are an IPv4 address.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for a globally routable unicast address: never private, loopback,
    link-local, site-local, multicast, reserved, shared (100.64/10) or unspecified. IPv6 forms
    that carry an IPv4 address (IPv4-mapped, 6to4, NAT64) are judged by that address; an
    unparsable address is not public. The one policy for where the server may connect to on
    someone else's behalf (webhook deliveries)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
        if ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local
                                 or ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a URL's host names literally (brackets stripped; IPv4 in any form the C
    resolver accepts, such as ``2852039166`` or ``127.1``), or None for a name."""
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    if name and all(part for part in name.split(".")) and \
            all(part.isdigit() or part.lower().startswith("0x") for part in name.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    return None


def private_host_reason(host: str) -> str | None:
    """Why the host of a URL is not a public destination, judged before any resolution
    (a literal address by :func:`is_public_address`; names of metadata services and private
    suffixes), or None. Loopback is refused too: callers allow it by their own rule."""
    name = host.strip().rstrip(".").lower()
    address = literal_address(name)
    if address is not None:
        if is_public_address(address):
            return None
        return f"{address} is not a public address."
    if ":" in name or "%" in name or not name:
        return "The host is not a valid address or name."
    if name == "localhost" or name in METADATA_HOSTS or name.endswith(PRIVATE_SUFFIXES):
        return f"{name} does not name a public host."
    return None
