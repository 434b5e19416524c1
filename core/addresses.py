"""Which network addresses a callback may be sent to: public unicast only. Pure."""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Forms that carry (or translate to) an IPv4 address inside an IPv6 one: refused outright, since
# the IPv4 address they reach cannot be known from here (NAT64 and 6to4 relays, Teredo servers).
_EMBEDDING = tuple(
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::ffff:0:0/96", "::/96")
)


def refusal(address: IPAddress) -> str | None:
    """Why `address` is not a public unicast address a callback may reach, or None if it is."""
    flags = (
        "loopback", "private", "link_local", "multicast", "reserved", "unspecified", "site_local",
    )  # fmt: skip
    for flag in flags:
        if getattr(address, f"is_{flag}", False):
            return f"{address} is a {flag.replace('_', '-')} address"
    if not address.is_global:
        return f"{address} is a special-purpose address"
    if address.version == 6:
        for network in _EMBEDDING:
            if address in network:
                return f"{address} embeds an IPv4 address ({network})"
    return None


def literal(host: str) -> IPAddress | None:
    """The address `host` names literally (`127.0.0.1`, `[::1]`, `::1%eth0`), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def obviously_local(host: str) -> bool:
    """Names that never resolve to a public address, refused without asking DNS."""
    lowered = host.lower().rstrip(".")
    return lowered == "localhost" or lowered.endswith((".localhost", ".local", ".internal"))
