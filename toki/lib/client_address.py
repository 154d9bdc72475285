"""The one rule for "which client sent this request", for every per-client limit and count in Toki.

Behind the documented nginx (deploy/nginx/toki.conf) every request reaches Django from 127.0.0.1, so
`REMOTE_ADDR` names the proxy, not the reader. nginx overwrites `X-Forwarded-For` and `X-Real-IP` with the
address it saw. Those headers are believed only when `REMOTE_ADDR` is one of `TOKI_TRUSTED_PROXIES`; anyone
else could write them. With a chain of proxies (`X-Forwarded-For: client, cdn`), the client is the rightmost
hop that is not a trusted proxy: hops to its left were written by the client itself.

An IPv6 client is keyed by its /64: one household or phone gets a whole /64 and can pick any address in it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPV6_PREFIX = 64


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]):
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _parse(value: str | None):
    """An IP address from a header or REMOTE_ADDR value, or None. IPv4-mapped IPv6 counts as IPv4."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(settings.TOKI_TRUSTED_PROXIES))
    return any(address.version == network.version and address in network for network in networks)


def _key(address) -> str:
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def _forwarded_hops(request) -> list[str]:
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded.strip():
        return [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
    real_ip = request.headers.get("X-Real-IP", "").strip()
    return [real_ip] if real_ip else []


def client_address(request) -> str:
    """The client's address as a rate-limit key: an IPv4 address, or an IPv6 /64 (`2001:db8:1:2::/64`).
    Empty when even REMOTE_ADDR is missing or malformed (all such requests then share one key)."""
    address = _parse(request.META.get("REMOTE_ADDR"))
    if address is None:
        return ""
    if not is_trusted_proxy(address):
        return _key(address)
    for hop in reversed(_forwarded_hops(request)):
        parsed = _parse(hop)
        if parsed is None:
            break  # a trusted proxy passed on garbage: stop at the last address a trusted party vouched for
        address = parsed
        if not is_trusted_proxy(address):
            break
    return _key(address)
