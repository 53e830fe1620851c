"""The client's address, as the sign-in and sign-up throttles count it.

It is the socket's peer, unless that peer is a trusted proxy (OBJECTRY_TRUSTED_PROXIES): then
X-Forwarded-For is read from the right, past every trusted hop, and the first address not
trusted is the client. Entries further left were written by the client and prove nothing, so
they are never reached while an untrusted hop stands before them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

from objectry.settings import Network

UNKNOWN = "unknown"


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address: nothing a trusted proxy would write about itself
    return any(ip in network for network in proxies)


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    peer = request.client.host if request.client else UNKNOWN
    if not proxies or not _trusted(peer, proxies):
        return peer
    # Several X-Forwarded-For headers read as one list, in order (RFC 9110 §5.3).
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for")
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]  # the key is hashed anyway; a cap keeps junk small
    # Every hop was a proxy of ours: the left-most is the nearest thing to a client.
    return hops[0] if hops else peer
