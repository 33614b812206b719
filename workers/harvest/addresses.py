"""Which addresses harvesting may reach, from an explicit table rather than the Python version's
`ipaddress.is_global` (whose answers changed between releases: 192.0.0.8 passed on 3.11.7).

The tables follow the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
updates): every block there is refused, including the few marked globally reachable (anycast relays,
AS112), because no feed lives on them. IPv6 is allowed only inside global unicast 2000::/3; IPv4-mapped,
NAT64, 6to4 and Teredo addresses are refused outright (they embed an IPv4 address we would have to
trust)."""

import ipaddress
from collections.abc import Iterable

IPV4_SPECIAL_PURPOSE = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",  # "this network" (RFC 791)
        "10.0.0.0/8",  # private use (RFC 1918)
        "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
        "127.0.0.0/8",  # loopback (RFC 1122)
        "169.254.0.0/16",  # link local (RFC 3927)
        "172.16.0.0/12",  # private use (RFC 1918)
        "192.0.0.0/24",  # IETF protocol assignments (RFC 6890), 192.0.0.8 included
        "192.0.2.0/24",  # documentation TEST-NET-1 (RFC 5737)
        "192.31.196.0/24",  # AS112-v4 (RFC 7535)
        "192.52.193.0/24",  # AMT (RFC 7450)
        "192.88.99.0/24",  # deprecated 6to4 relay anycast (RFC 7526)
        "192.168.0.0/16",  # private use (RFC 1918)
        "192.175.48.0/24",  # direct delegation AS112 service (RFC 7534)
        "198.18.0.0/15",  # benchmarking (RFC 2544)
        "198.51.100.0/24",  # documentation TEST-NET-2 (RFC 5737)
        "203.0.113.0/24",  # documentation TEST-NET-3 (RFC 5737)
        "224.0.0.0/4",  # multicast (RFC 5771)
        "240.0.0.0/4",  # reserved (RFC 1112), 255.255.255.255 limited broadcast included
    )
)

IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
IPV6_SPECIAL_PURPOSE = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "64:ff9b::/96",  # IPv4-IPv6 translation, well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # IPv4-IPv6 translation, local use (RFC 8215)
        "2001::/23",  # IETF protocol assignments (RFC 2928): Teredo, benchmarking, ORCHID, AMT, AS112…
        "2001:db8::/32",  # documentation (RFC 3849)
        "2002::/16",  # 6to4 (RFC 3056)
        "2620:4f:8000::/48",  # direct delegation AS112 service (RFC 7534)
        "3fff::/20",  # documentation (RFC 9637)
    )
)


def address_is_public(address: str) -> bool:
    """True only for an address harvesting may connect to: IPv4 outside every special-purpose block,
    IPv6 inside global unicast 2000::/3 and outside every special-purpose block."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return not any(ip in block for block in IPV4_SPECIAL_PURPOSE)
    if ip not in IPV6_GLOBAL_UNICAST:  # ::1, ::, ::ffff:0:0/96, fc00::/7, fe80::/10, ff00::/8, 100::/64…
        return False
    return not any(ip in block for block in IPV6_SPECIAL_PURPOSE)


def allowed_endpoints(entries: Iterable[str]) -> frozenset[tuple[str, int]]:
    """Parse the private-endpoint allowlist (tests and the offline demo only): entries are host:port
    ([v6]:port for IPv6). A bare host would let a redirect reach any port of it (Redis on 6379 beside
    the demo server), so entries without a port are ignored."""
    endpoints = set()
    for entry in entries:
        host, separator, port = entry.strip().rpartition(":")
        if separator and host and port.isdigit() and 0 < int(port) < 65536:
            endpoints.add((host.strip("[]").lower(), int(port)))
    return frozenset(endpoints)
