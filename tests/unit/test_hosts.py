"""Hosts: the preview answers only Host headers that name it (DNS rebinding defence)."""

from __future__ import annotations

import pytest

from site_builder.preview.hosts import HostPolicy, parse_allowed, refusal, split_host

LOOPBACK = HostPolicy.for_server("127.0.0.1", 8000, hostname="dj-pc")
ALL = HostPolicy.for_server("0.0.0.0", 8000, hostname="dj-pc.corp.example")
ALL_V6 = HostPolicy.for_server("::", 8000, hostname="dj-pc")
LAN = HostPolicy.for_server("192.168.1.20", 8000, hostname="dj-pc")
PORT_80 = HostPolicy.for_server("127.0.0.1", 80, hostname="dj-pc")
ALLOWED = HostPolicy.for_server("127.0.0.1", 8000, ["preview.lan", "Proxy.Example:9443"],
                                hostname="dj-pc")


@pytest.mark.parametrize(("policy", "host", "arrived_on", "allowed"), [
    # Loopback: its own address, and the other loopback spellings, with the port.
    (LOOPBACK, "127.0.0.1:8000", "127.0.0.1", True),
    (LOOPBACK, "localhost:8000", "127.0.0.1", True),
    (LOOPBACK, "LOCALHOST:8000", "127.0.0.1", True),
    (LOOPBACK, "[::1]:8000", "127.0.0.1", True),
    (LOOPBACK, "evil.example:8000", "127.0.0.1", False),  # the rebinding page's own name
    (LOOPBACK, "evil.example", "127.0.0.1", False),
    (LOOPBACK, "localhost.evil.example:8000", "127.0.0.1", False),
    (LOOPBACK, "127.0.0.1.nip.io:8000", "127.0.0.1", False),
    (LOOPBACK, "127.0.0.1:8001", "127.0.0.1", False),  # another server's port
    (LOOPBACK, "127.0.0.1", "127.0.0.1", False),  # no port means 80
    (LOOPBACK, "dj-pc:8000", "127.0.0.1", False),  # the machine's name reaches 127.0.1.1
    (LOOPBACK, "127.0.0.1:8000@evil.example", "127.0.0.1", False),
    (LOOPBACK, "127.0.0.1:8000 evil.example", "127.0.0.1", False),
    (LOOPBACK, "::1:8000", "127.0.0.1", False),
    (LOOPBACK, "", "127.0.0.1", False),
    (LOOPBACK, None, "127.0.0.1", False),
    # Port 80: a browser leaves the port out.
    (PORT_80, "localhost", "127.0.0.1", True),
    (PORT_80, "127.0.0.1:80", "127.0.0.1", True),
    (PORT_80, "evil.example", "127.0.0.1", False),
    # Every interface: loopback, the machine's names, the address the request arrived on.
    (ALL, "localhost:8000", "127.0.0.1", True),
    (ALL, "0.0.0.0:8000", "127.0.0.1", True),
    (ALL, "dj-pc:8000", "192.168.1.20", True),
    (ALL, "DJ-PC.local:8000", "192.168.1.20", True),
    (ALL, "dj-pc.corp.example:8000", "192.168.1.20", True),
    (ALL, "192.168.1.20:8000", "192.168.1.20", True),
    (ALL, "192.168.1.21:8000", "192.168.1.20", False),  # not where it arrived
    (ALL, "192.168.1.20:8001", "192.168.1.20", False),
    (ALL, "evil.example:8000", "192.168.1.20", False),
    (ALL, "dj-pc.evil.example:8000", "192.168.1.20", False),
    (ALL_V6, "192.168.1.20:8000", "::ffff:192.168.1.20", True),  # dual-stack socket
    (ALL_V6, "[fd00::2]:8000", "fd00::2", True),
    (ALL_V6, "[fd00::3]:8000", "fd00::2", False),
    (ALL_V6, "[::1]:8000", "::1", True),
    # One address of the network: that address and the machine's name.
    (LAN, "192.168.1.20:8000", "192.168.1.20", True),
    (LAN, "dj-pc:8000", "192.168.1.20", True),
    (LAN, "evil.example:8000", "192.168.1.20", False),
    # --allow-host: a name with any port, or a name with one port.
    (ALLOWED, "preview.lan", "127.0.0.1", True),
    (ALLOWED, "PREVIEW.LAN:9000", "127.0.0.1", True),
    (ALLOWED, "proxy.example:9443", "127.0.0.1", True),
    (ALLOWED, "proxy.example:9444", "127.0.0.1", False),
    (ALLOWED, "proxy.example", "127.0.0.1", False),
    (ALLOWED, "other.lan", "127.0.0.1", False),
    (ALLOWED, "localhost:8000", "127.0.0.1", True),
])
def test_host_policy_answers_only_names_of_the_preview(
        policy: HostPolicy, host: str | None, arrived_on: str, allowed: bool) -> None:
    assert policy.allows(host, arrived_on) is allowed


@pytest.mark.parametrize(("value", "expected"), [
    ("preview.lan", ("preview.lan", None)),
    ("Preview.LAN:8080", ("preview.lan", 8080)),
    ("192.168.1.20", ("192.168.1.20", None)),
    ("fd00::2", ("[fd00::2]", None)),
    ("[fd00::2]:8000", ("[fd00::2]", 8000)),
])
def test_allow_host_values_are_read_as_name_and_port(
        value: str, expected: tuple[str, int | None]) -> None:
    assert parse_allowed(value) == expected


@pytest.mark.parametrize("value", ["", "a b", "http://preview.lan/", "preview.lan:99999",
                                   "preview.lan:0", "*.lan", "a/b"])
def test_malformed_allow_host_values_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_allowed(value)


def test_refusal_is_bilingual_and_says_how_to_allow_the_name() -> None:
    text = refusal("http://127.0.0.1:8000/", "Evil.Example:8000").decode()
    assert "禁止访问：这个预览只回答它自己的地址（http://127.0.0.1:8000/），" in text
    assert "--allow-host evil.example。" in text
    assert "Forbidden" in text and "--allow-host evil.example." in text


def test_refusal_never_repeats_a_malformed_host() -> None:
    text = refusal("http://127.0.0.1:8000/", "<script>alert(1)</script>").decode()
    assert "script" not in text and "--allow-host" not in text
    assert split_host("<script>alert(1)</script>") is None
