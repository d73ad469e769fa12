"""SSRF defence and URL normalisation: the IP forms resolvers accept, the address predicate, the allowlist,
and the URL spellings that must give one identity."""

from __future__ import annotations

import ipaddress

import pytest

from tidings.fetch.guard import (
    Allowlist,
    RefusedError,
    canonical_host,
    check_url,
    forbidden_reason,
    parse_ip,
    parse_ipv4_loose,
    vet_address,
)
from tidings.fetch.urls import clean_url, url_key


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("10.0.0.1.", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),  # as resolvers and browsers read it
        ("169.254.169.254", "169.254.169.254"),
        ("3232235521", "192.168.0.1"),
    ],
)
def test_loose_ipv4_forms_are_normalised(host: str, expected: str) -> None:
    assert str(parse_ipv4_loose(host)) == expected


@pytest.mark.parametrize(
    "host",
    ["example.com", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "08.1.1.1", "4294967296", "", "1..2", "12a"],
)
def test_not_ipv4(host: str) -> None:
    assert parse_ipv4_loose(host) is None


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("2130706433", "loopback"),
        ("0x7f.1", "loopback"),
        ("0177.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("[::ffff:7f00:1]", "loopback"),
        ("::127.0.0.1", "loopback"),  # IPv4-compatible (deprecated) form
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("fd00::1", "private"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.0.8", "reserved"),
        ("198.18.0.1", "reserved"),
        ("2001:db8::1", "not a public"),
    ],
)
def test_forbidden_addresses(host: str, reason: str) -> None:
    ip = parse_ip(host)
    assert ip is not None
    why = forbidden_reason(ip)
    assert why is not None
    assert reason in why


@pytest.mark.parametrize("host", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(host: str) -> None:
    ip = parse_ip(host)
    assert ip is not None
    assert forbidden_reason(ip) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/feed",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "https://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1:8000/feed.xml",
    ],
)
def test_check_url_refuses_literal_private_addresses(url: str) -> None:
    with pytest.raises(RefusedError, match="refused to connect"):
        check_url(url, Allowlist())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/feed", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("/relative/path", "only http and https"),
        ("http:///nohost", "no host"),
        ("http://exa mple.com:99999/", "invalid URL"),
    ],
)
def test_check_url_refuses_other_schemes_and_broken_urls(url: str, message: str) -> None:
    with pytest.raises(RefusedError, match=message):
        check_url(url, Allowlist())


def test_check_url_canonicalises_the_host() -> None:
    assert check_url("HTTP://Example.COM./a?b=1", Allowlist()) == "http://example.com/a?b=1"
    assert check_url("http://bücher.example/", Allowlist()) == "http://xn--bcher-kva.example/"


def test_allowlist_is_exact_about_host_and_port() -> None:
    allow = Allowlist.parse("127.0.0.1:8080, localhost, 10.1.0.0/16 [::1]:9000")
    loop = ipaddress.ip_address("127.0.0.1")
    assert allow.permits("127.0.0.1", 8080, loop)
    assert not allow.permits("127.0.0.1", 8081, loop)
    assert not allow.permits("127.0.0.2", 8080, ipaddress.ip_address("127.0.0.2"))
    assert allow.permits("localhost", 1234, loop)
    assert allow.permits("feeds.lan", 80, ipaddress.ip_address("10.1.2.3"))
    assert not allow.permits("feeds.lan", 80, ipaddress.ip_address("10.2.0.1"))
    assert allow.permits("::1", 9000, ipaddress.ip_address("::1"))
    vet_address(loop, "127.0.0.1", 8080, allow)
    with pytest.raises(RefusedError, match="loopback"):
        vet_address(loop, "127.0.0.1", 8081, allow)
    # The address under a name the allowlist does not know is refused.
    with pytest.raises(RefusedError, match=r"evil\.example \(127\.0\.0\.1\)"):
        vet_address(loop, "evil.example", 8081, allow)


@pytest.mark.parametrize("spec", ["10.0.0.0/33", "host:notaport", ":80"])
def test_allowlist_rejects_nonsense(spec: str) -> None:
    with pytest.raises(ValueError, match="fetch_allow_hosts"):
        Allowlist.parse(spec)


def test_canonical_host() -> None:
    assert canonical_host("WWW.Example.Com.") == "www.example.com"
    assert canonical_host("0x7f.1") == "127.0.0.1"
    assert canonical_host("[::FFFF:127.0.0.1]") == "::ffff:7f00:1"


@pytest.mark.parametrize(
    ("url", "cleaned"),
    [
        ("HTTP://WWW.Example.COM:80/a?utm_source=x&id=3&fbclid=1#frag", "http://www.example.com/a?id=3"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://example.com/a?gclid=1&utm_medium=rss", "http://example.com/a"),
        ("http://example.com/%7euser/", "http://example.com/%7Euser/"),
        ("http://example.com/a?b=2&a=1", "http://example.com/a?b=2&a=1"),  # order kept when nothing removed
    ],
)
def test_clean_url(url: str, cleaned: str) -> None:
    assert clean_url(url) == cleaned


def test_url_key_survives_tracking_case_ports_and_www() -> None:
    spellings = [
        "https://www.example.com/news/story-1?utm_source=rss&utm_medium=feed",
        "http://EXAMPLE.com:80/news/story-1/",
        "https://example.com/news/story-1#comments",
        "https://example.com:443/news/story-1?fbclid=abc&mc_cid=9",
        "https://example.com/news/%73tory-1",
    ]
    assert len({url_key(u) for u in spellings}) == 1
    assert url_key("https://example.com/a?x=1&y=2") == url_key("https://example.com/a?y=2&x=1")
    assert url_key("https://example.com/a?id=1") != url_key("https://example.com/a?id=2")
    assert url_key("https://example.com/a") != url_key("https://example.org/a")
