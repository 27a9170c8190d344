"""Who is on the other end of a request: the client's real address and whether it came over https.

Behind nginx or a Kubernetes ingress every request arrives from the proxy's address, over plain
http. The proxy says who the client was (X-Forwarded-For) and how it connected
(X-Forwarded-Proto), but anyone can send those headers, so they are believed only from the
proxies listed in HAINA_TRUSTED_PROXIES. X-Forwarded-For is read from the right: each trusted
proxy appends the address it saw, so the first address from the right that is not a trusted
proxy is the client (a client cannot forge anything to the right of its own entry).
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web

import settings

Networks = tuple[IPv4Network | IPv6Network, ...]


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Networks) -> bool:
    return address is not None and any(address in network for network in proxies)


def real_client_address(remote: str | None, forwarded_for: str | None, proxies: Networks) -> str | None:
    """The client's address given the peer (`remote`) and its X-Forwarded-For header value."""
    peer = _parse(remote or "")
    if peer is None:
        return remote or None
    if not _trusted(peer, proxies) or not forwarded_for:
        return str(peer)
    client = peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:  # garbage a client put in: stop at the last address a proxy vouched for
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


def _from_trusted_proxy(request: web.Request, proxies: Networks) -> bool:
    return _trusted(_parse(request.remote or ""), proxies)


def client_address(request: web.Request) -> str | None:
    """The real client address of `request` (cached on it)."""
    if "client_address" not in request:
        proxies = settings.current().trusted_proxy_networks()
        request["client_address"] = real_client_address(
            request.remote, request.headers.get("X-Forwarded-For"), proxies
        )
    return request["client_address"]


def is_https(request: web.Request) -> bool:
    """The client connected over TLS: to us, or to a trusted proxy that says so."""
    if request.secure:
        return True
    if not _from_trusted_proxy(request, settings.current().trusted_proxy_networks()):
        return False
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return proto == "https"
