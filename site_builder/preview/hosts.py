"""Which Host headers the preview answers: its own address only.

A page on the internet can point its own name at 127.0.0.1 (DNS rebinding); the browser
then treats the preview as part of that page's site and lets it read every page, drafts
included. Such requests carry the attacker's name in Host, so the preview answers only
Hosts that name it:

- the address it listens on, with its port (without it on port 80);
- localhost, 127.0.0.1 and [::1] when it listens on loopback or on every interface;
- on any other address (--host 0.0.0.0, --host 192.168.1.20): also the machine's host name
  (NAME, NAME.local) and any IP address the request really arrived on, which is how a
  colleague types it;
- names given with --allow-host (NAME: with any port; NAME:PORT: that port only), for a
  proxy or a DNS alias.

An IP address in Host is safe to accept: a rebinding page always carries a name.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})  # as a Host header has them
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
DEFAULT_HTTP_PORT = 80

# A host name, or an IPv6 address in brackets, then an optional port. Lower-cased first.
_HOST_RE = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9_][a-z0-9._-]*)(?::([0-9]{1,5}))?")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def browser_host(host: str) -> str:
    """The host a browser on this computer should use for `host`."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def split_host(value: str) -> tuple[str, int | None] | None:
    """Split a Host header into (lower-cased name, port or None); None when malformed."""
    match = _HOST_RE.fullmatch(value.strip().lower())
    if match is None:
        return None
    port = int(match[2]) if match[2] is not None else None
    return match[1], port


def parse_allowed(value: str) -> tuple[str, int | None]:
    """Read one --allow-host value (NAME, NAME:PORT, an IP address); ValueError if invalid."""
    text = value.strip().lower()
    if text.count(":") > 1 and not text.startswith("["):
        text = f"[{text}]"  # a bare IPv6 address
    found = split_host(text)
    if found is None or (found[1] is not None and not 0 < found[1] < 65536):
        raise ValueError(value)
    return found


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a Host name or socket address spells, IPv4-mapped IPv6 unwrapped."""
    try:
        addr = ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@dataclass(frozen=True)
class HostPolicy:
    """The Host headers one preview server answers."""

    port: int
    names: frozenset[str]  # accepted with the server's port
    arrival_address: bool = False  # also any IP address the request arrived on
    any_port: frozenset[str] = frozenset()  # --allow-host NAME
    pinned: frozenset[tuple[str, int]] = frozenset()  # --allow-host NAME:PORT

    @classmethod
    def for_server(cls, host: str, port: int, allowed: Iterable[str] = (),
                   hostname: str | None = None) -> HostPolicy:
        """The policy for a server listening on host:port, with --allow-host values."""
        names = set()
        if host not in WILDCARD_HOSTS:
            names.add(browser_host(host).lower())
        else:
            names.add("[::]" if host == "::" else "0.0.0.0")
        if is_loopback(host) or host in WILDCARD_HOSTS:
            names |= LOOPBACK_NAMES
        public = not is_loopback(host)
        if public:
            machine = (hostname if hostname is not None else socket.gethostname()).lower()
            short = machine.split(".")[0]
            names |= {n for n in (machine, short, f"{short}.local") if n}
        extra = [parse_allowed(value) for value in allowed]
        return cls(port, frozenset(names), public,
                   frozenset(name for name, p in extra if p is None),
                   frozenset((name, p) for name, p in extra if p is not None))

    def allows(self, header: str | None, local_address: str = "") -> bool:
        """Say whether a request with this Host header, arriving on `local_address`, is ours."""
        found = split_host(header) if header else None
        if found is None:
            return False  # no Host at all: no browser sends that
        name, port = found
        if name in self.any_port or (port is not None and (name, port) in self.pinned):
            return True
        if port != self.port and not (port is None and self.port == DEFAULT_HTTP_PORT):
            return False
        if name in self.names:
            return True
        if not self.arrival_address:
            return False
        addr = _address(name)
        return addr is not None and addr == _address(local_address)


def refusal(url: str, header: str | None) -> bytes:
    """The short text a refused request gets (403), in Chinese and English."""
    # Only a well-formed Host is repeated: it then holds nothing but name characters.
    found = split_host(header) if header else None
    if found is None:
        return (f"禁止访问：这个预览只回答它自己的地址（{url}）。\n"
                f"Forbidden: this preview answers only its own address ({url}).\n").encode()
    name, port = found
    asked = name if port is None else f"{name}:{port}"
    return (f"禁止访问：这个预览只回答它自己的地址（{url}），不回答“{asked}”。"
            f"如果确实要用这个名字打开预览，请在启动时加上 --allow-host {name}。\n"
            f"Forbidden: this preview answers only its own address ({url}), not {asked}. "
            f"To allow this name, start it with --allow-host {name}.\n").encode()
