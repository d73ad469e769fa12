"""SSRF defence: Tidings fetches what strangers' feeds point at, so it must never be turned against the
network it runs in.

Three layers, each complete on its own:

- `check_url` refuses anything but http(s) and normalises the host (the loose IPv4 forms `2130706433`,
  `0x7f.1`, `0177.0.0.1` that resolvers accept become dotted quads) so a literal private address is refused
  before any packet leaves;
- `VettingBackend`, the httpcore network backend every fetch goes through, resolves the name itself, vets
  each address and connects to the vetted address (TLS still verifies the hostname), so the check applies
  to the address actually connected to, on every redirect hop, and DNS rebinding between check and
  connect cannot happen;
- `Allowlist` is the only way round it: hosts, host:port pairs or networks the user names
  (`fetch_allow_hosts`), e.g. a feed on the local network or the test server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RefusedError(Exception):
    """A URL or address Tidings will not fetch from, with the reason in one line."""


# Blocked even where Python's `is_global` says otherwise (multicast, 192.0.0.0/24).
_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(net), why)
    for net, why in (
        ("0.0.0.0/8", "unspecified address"),
        ("127.0.0.0/8", "loopback address"),
        ("10.0.0.0/8", "private address"),
        ("172.16.0.0/12", "private address"),
        ("192.168.0.0/16", "private address"),
        ("100.64.0.0/10", "shared (CGNAT) address"),
        ("169.254.0.0/16", "link-local address"),
        ("224.0.0.0/4", "multicast address"),
        ("240.0.0.0/4", "reserved address"),
        ("192.0.0.0/24", "reserved address"),
        ("198.18.0.0/15", "reserved address"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why `ip` may not be fetched from by default, or None for a public address.

    IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by it."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_unspecified:
            return "unspecified address"
        if ip.is_loopback:
            return "loopback address"
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return forbidden_reason(embedded)
        if ip.is_multicast:
            return "multicast address"
        if ip.is_link_local:
            return "link-local address"
        if ip.is_site_local or ip in ipaddress.IPv6Network("fc00::/7"):
            return "private address"
        return None if ip.is_global else "not a public address"
    for network, why in _BLOCKED_V4:
        if ip in network:
            return why
    return None if ip.is_global else "not a public address"


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address
    if ip in _NAT64 or ip in _V4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any form `inet_aton` accepts (1 to 4 parts, each decimal, octal with a leading 0,
    or hex with 0x; the last part fills the remaining bytes), or None when `host` is not one."""
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()  # a trailing dot
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        value = _ipv4_part(part)
        if value is None:
            return None
        numbers.append(value)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for position, number in enumerate(head):
        value += number << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


def _ipv4_part(part: str) -> int | None:
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:] or "0", 16)
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def parse_ip(host: str) -> IPAddress | None:
    """The address a URL host names literally (`[::1]`, `::ffff:7f00:1`, `127.1`, ...), or None."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    if ":" in bare:
        try:
            return ipaddress.IPv6Address(bare.split("%", 1)[0])
        except ValueError:
            return None
    return parse_ipv4_loose(bare)


def canonical_host(host: str) -> str:
    """Lower-case, IDNA-encoded, without a trailing dot; literal addresses in their standard form."""
    ip = parse_ip(host)
    if ip is not None:
        return str(ip)
    name = host.strip().rstrip(".").lower()
    if not name:
        raise RefusedError("no host in URL")
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise RefusedError(f"invalid host name {name!r}") from exc


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Private destinations the user permits: host names, host:port pairs and networks."""

    hosts: frozenset[str] = frozenset()
    host_ports: frozenset[tuple[str, int]] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> Allowlist:
        """From "localhost, 127.0.0.1:8080, 10.0.0.0/8, [::1]:8000" (comma or space separated)."""
        items = spec.replace(",", " ").split() if isinstance(spec, str) else list(spec)
        hosts: set[str] = set()
        host_ports: set[tuple[str, int]] = set()
        networks: list[Network] = []
        for item in items:
            if "/" in item:
                try:
                    networks.append(ipaddress.ip_network(item, strict=False))
                except ValueError as exc:
                    raise ValueError(f"fetch_allow_hosts: {item!r} is not a network") from exc
                continue
            split = urlsplit(f"//{item}")
            try:
                port = split.port
            except ValueError as exc:
                raise ValueError(f"fetch_allow_hosts: bad port in {item!r}") from exc
            if not split.hostname:
                raise ValueError(f"fetch_allow_hosts: {item!r} names no host")
            host = canonical_host(split.hostname)
            if port is None:
                hosts.add(host)
            else:
                host_ports.add((host, port))
        return cls(frozenset(hosts), frozenset(host_ports), tuple(networks))

    def permits(self, host: str, port: int, ip: IPAddress | None = None) -> bool:
        names = {host} if ip is None else {host, str(ip)}
        if any(name in self.hosts or (name, port) in self.host_ports for name in names):
            return True
        return ip is not None and any(ip in net for net in self.networks if ip.version == net.version)


def vet_address(ip: IPAddress, host: str, port: int, allow: Allowlist) -> None:
    """Raise `RefusedError` unless `ip` is public or the allowlist permits it."""
    reason = forbidden_reason(ip)
    if reason is not None and not allow.permits(host, port, ip):
        shown = host if host == str(ip) else f"{host} ({ip})"
        raise RefusedError(f"refused to connect to {shown}: {reason}")


def check_url(url: str, allow: Allowlist) -> str:
    """The URL with a canonical host, or `RefusedError`: only http and https, with a host, and a literal
    address must pass `vet_address`. (Names are vetted again on the address they resolve to, by the
    backend.)"""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise RefusedError(f"invalid URL {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedError(f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise RefusedError(f"no host in URL {url!r}")
    host = canonical_host(parts.hostname)
    port = port or (443 if scheme == "https" else 80)
    ip = parse_ip(host)
    if ip is not None:
        vet_address(ip, host, port, allow)
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
    return parts._replace(scheme=scheme, netloc=netloc).geturl()


class VettingBackend(httpcore.AsyncNetworkBackend):
    """Resolves, vets every candidate address, and connects only to a vetted one."""

    def __init__(self, allow: Allowlist, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allow = allow
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._resolve(host, port)
                last_error: Exception | None = None
                for ip in addresses:
                    try:
                        return await self.inner.connect_tcp(
                            str(ip), port, None, local_address, socket_options
                        )
                    except (httpcore.ConnectError, OSError) as exc:
                        last_error = exc
                raise httpcore.ConnectError(f"cannot connect to {host}:{port} ({last_error})")
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        literal = parse_ip(host)
        if literal is not None:
            vet_address(literal, host, port, self.allow)
            return [literal]
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
        resolved: list[IPAddress] = []
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if ip not in resolved:
                resolved.append(ip)
        vetted: list[IPAddress] = []
        refusal: RefusedError | None = None
        for ip in resolved:
            try:
                vet_address(ip, host, port, self.allow)
                vetted.append(ip)
            except RefusedError as exc:
                refusal = refusal or exc
        if not vetted:
            raise refusal or httpcore.ConnectError(f"{host} has no address")
        return vetted

    async def connect_unix_socket(
        self,
        path: str,  # noqa: ARG002 (the interface's signature)
        timeout: float | None = None,  # noqa: ARG002
        socket_options: Iterable[Any] | None = None,  # noqa: ARG002
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedError("unix sockets are never fetched from")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
