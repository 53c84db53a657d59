"""The client's address: the connection's peer, or what a *trusted* proxy says the client is.

Rate limits key on this address, so a client must never choose it. Only a peer listed in
``FORWARDED_ALLOW_IPS`` may name the client, in the header ``CLIENT_IP_HEADER``; anyone else's header is
ignored. Every hop is written by the proxy to its left, so the list is read from the right: the first hop
that is not a trusted proxy is the client. With ``*`` (any peer: a platform whose containers only its own
router can reach) every hop would count as trusted, so the rightmost one, which that router wrote, is taken.

The app resolves it itself (uvicorn's own proxy handling is switched off in ``backend.cli``): the same rule
under any server, and in-process tests exercise it.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TrustedProxies:
    """``FORWARDED_ALLOW_IPS`` parsed: addresses and networks, or ``*``."""

    def __init__(self, entries: list[str]) -> None:
        self.any = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def __bool__(self) -> bool:
        return self.any or bool(self.networks)

    def trusts(self, ip: IPAddress) -> bool:
        return self.any or any(ip in net for net in self.networks)


def parse_host(value: str) -> IPAddress | None:
    """``203.0.113.5``, ``203.0.113.5:443``, ``2001:db8::1`` or ``[2001:db8::1]:443``; None otherwise."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def resolve(peer: str | None, hops: list[str], trusted: TrustedProxies) -> str:
    """The client address for a connection from ``peer`` carrying the forwarded ``hops`` (left to right)."""
    peer_ip = parse_host(peer) if peer else None
    if peer_ip is None or not trusted.trusts(peer_ip) or not hops:
        return peer or "unknown"
    if trusted.any:
        rightmost = parse_host(hops[-1])
        return str(rightmost) if rightmost is not None else str(peer_ip)
    client = peer_ip
    for hop in reversed(hops):
        ip = parse_host(hop)
        if ip is None:  # a malformed hop: nothing left of it can be trusted either
            break
        client = ip
        if not trusted.trusts(ip):
            break
    return str(client)


class ClientAddressMiddleware:
    """Rewrites ``scope["client"]`` to the resolved client address (pure ASGI, no per-request allocations
    beyond the header scan when no proxy is trusted)."""

    def __init__(self, app: ASGIApp, *, trusted: list[str], header: str) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)
        self.header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted:
            client = scope.get("client")
            peer = client[0] if client else None
            hops = [
                hop
                for name, value in scope.get("headers", ())
                if name == self.header
                for hop in value.decode("latin-1").split(",")
                if hop.strip()
            ]
            scope["client"] = (resolve(peer, hops, self.trusted), 0)
        await self.app(scope, receive, send)
