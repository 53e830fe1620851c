"""The SSRF guard: a webhook URL must be http(s) and its host must resolve only to public
addresses (unless OBJECTRY_WEBHOOK_ALLOW_PRIVATE). Checked when the URL is saved and again
before every attempt; the sender then connects to the address that was checked, so a name
that resolves elsewhere a moment later (DNS rebinding) cannot redirect it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Cloud metadata services that are not in a private range everywhere (Alibaba's 100.100.100.200
# is in the shared range, AWS's IPv6 one in a unique-local one; both are refused anyway).
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"),
                      ipaddress.ip_address("fd00:ec2::254"),
                      ipaddress.ip_address("100.100.100.200")})
RESOLVE_SECONDS = 5  # a name server that does not answer must not hold a request for long


class Refused(ValueError):
    """The URL may not be called; the message says why (shown in a 422 or a delivery)."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as written (Host header, TLS server name)
    port: int
    address: str  # the checked address to connect to

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("the URL must be http or https")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("the URL must not carry credentials")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def forbidden(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address in METADATA or address.is_private or address.is_loopback
            or address.is_link_local or address.is_reserved or address.is_multicast
            or address.is_unspecified or not address.is_global)


async def resolve(url: str, *, allow_private: bool) -> Target:
    """The URL's target with the first address its host resolves to, every address checked."""
    scheme, host, port = split(url)
    try:
        infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS)
    except TimeoutError:
        raise Refused(f"the host {host!r} did not resolve within {RESOLVE_SECONDS} s") from None
    except (socket.gaierror, UnicodeError):
        raise Refused(f"the host {host!r} does not resolve") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise Refused(f"the host {host!r} does not resolve")
    if not allow_private:
        for address in addresses:
            if forbidden(address):
                raise Refused(f"the host {host!r} resolves to {address}, a private, loopback,"
                              " link-local or reserved address")
    return Target(scheme, host, port, str(addresses[0]))
