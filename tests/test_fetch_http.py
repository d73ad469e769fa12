"""The fetcher against a real HTTP server on 127.0.0.1: conditional GET, redirects and the SSRF guard on
every hop, timeouts, byte caps (as sent and decompressed), content types, Retry-After, robots.txt."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import shutil
import ssl
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import httpcore
import pytest

from tests.feedserver import FeedServer
from tidings.fetch import guard
from tidings.fetch.guard import Allowlist, VettingBackend
from tidings.fetch.http import (
    Fetcher,
    FetchError,
    FetchLimits,
    GuardedTransport,
    HostGate,
    Response,
    parse_retry_after,
)
from tidings.fetch.robots import RobotsCache


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def limits(server: FeedServer, **changes: Any) -> FetchLimits:
    values: dict[str, Any] = {
        "allow": Allowlist.parse(server.host),
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "max_bytes": 1_000_000,
        "max_decoded_bytes": 2_000_000,
        "host_delay": 0.0,
        "host_concurrency": 4,
    }
    values.update(changes)
    return FetchLimits(**values)


def get(lim: FetchLimits, url: str, **options: Any) -> Response:
    async def run() -> Response:
        async with Fetcher(lim) as fetcher:
            return await fetcher.get(url, **options)

    return asyncio.run(run())


def fails(lim: FetchLimits, url: str, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        get(lim, url, **options)
    return info.value


def test_conditional_get_sends_validators_and_reads_304(server: FeedServer) -> None:
    server.route("/feed", "<rss/>", etag='"v1"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT")
    first = get(limits(server), server.url("/feed"))
    assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
    second = get(limits(server), server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    assert second.body == b""
    sent = server.seen("/feed")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 01 Jul 2025 10:00:00 GMT"
    assert sent["user-agent"].startswith("Tidings/")
    assert "gzip" in sent["accept-encoding"]
    assert "br" in sent["accept-encoding"]


def test_gzip_and_brotli_bodies_are_decoded(server: FeedServer) -> None:
    text = b"<rss>" + b"news " * 1000 + b"</rss>"
    server.route("/gz", gzip.compress(text), headers={"Content-Encoding": "gzip"})
    server.route("/br", brotli.compress(text), headers={"Content-Encoding": "br"})
    lim = limits(server)
    gz = get(lim, server.url("/gz"))
    assert gz.body == text
    assert gz.bytes_received < len(text) // 10  # what moved on the wire is the compressed size
    assert get(lim, server.url("/br")).body == text


def test_redirects_are_followed_and_a_permanent_move_is_reported(server: FeedServer) -> None:
    server.route("/new", "<rss/>")
    server.redirect("/old", "/new", 301)
    server.redirect("/temp", "/new", 302)
    server.redirect("/mixed", "/temp", 301)
    moved = get(limits(server), server.url("/old"))
    assert (moved.url, moved.moved_to) == (server.url("/new"), server.url("/new"))
    assert get(limits(server), server.url("/temp")).moved_to is None
    assert get(limits(server), server.url("/mixed")).moved_to is None  # one temporary hop: keep the URL


def test_redirects_are_capped(server: FeedServer) -> None:
    for n in range(10):
        server.redirect(f"/r{n}", f"/r{n + 1}")
    error = fails(limits(server, max_redirects=3), server.url("/r0"))
    assert error.kind == "redirects"
    assert "more than 3 redirects" in str(error)
    assert len(server.seen("/r4")) == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/feed",  # loopback, but not the allowed host
        "http://127.0.0.1:1/feed",  # the allowed host, another port
        "http://2130706434:{port}/feed",  # 127.0.0.2 in the forms resolvers accept
        "http://0x7f.2:{port}/feed",
        "http://[::ffff:127.0.0.2]:{port}/feed",
        "http://[::1]:{port}/feed",
        "http://100.64.0.1/feed",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server: FeedServer, target: str) -> None:
    server.redirect("/jump", target.format(port=server.port))
    error = fails(limits(server), server.url("/jump"))
    assert error.kind == "refused", error
    assert "refused" in str(error) or "only http and https" in str(error)
    assert [r.path for r in server.requests] == ["/jump"]


def test_a_redirect_to_an_unparseable_address_is_not_followed(server: FeedServer) -> None:
    server.redirect("/jump", f"http://0177.0.0.2:{server.port}/feed")  # httpx itself rejects this form
    error = fails(limits(server), server.url("/jump"))
    assert error.kind == "redirects"
    assert "redirect to an invalid URL" in str(error)


def test_private_addresses_are_refused_by_default(server: FeedServer) -> None:
    """No allowlist: the test server itself is out of reach, by address and by name (after DNS)."""
    server.route("/feed", "<rss/>")
    closed = limits(server, allow=Allowlist())
    error = fails(closed, server.url("/feed"))
    assert (error.kind, str(error)) == ("refused", "refused to connect to 127.0.0.1: loopback address")
    by_name = fails(closed, f"http://localhost:{server.port}/feed")
    assert by_name.kind == "refused"
    assert "localhost (" in str(by_name)
    assert "loopback address" in str(by_name)
    assert server.seen("/feed") == []


def test_the_backend_connects_to_the_address_it_vetted(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name is resolved once; the connection goes to the vetted address, and a name
    that resolves to a private address is refused without a connection."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    async def fake_getaddrinfo(_host: str, port: int, **_: Any) -> list[Any]:
        return [(2, 1, 6, "", (address, port)) for address in next(answers)]

    connected: list[str] = []

    class Recorder(httpcore.AsyncNetworkBackend):
        async def connect_tcp(self, host: str, *_args: Any, **_kwargs: Any) -> Any:
            connected.append(host)
            raise httpcore.ConnectError("test: no network")

    monkeypatch.setattr(guard.anyio, "getaddrinfo", fake_getaddrinfo)
    backend = VettingBackend(Allowlist(), inner=Recorder())
    with pytest.raises(httpcore.ConnectError):
        asyncio.run(backend.connect_tcp("rebind.example", 80, timeout=1))
    assert connected == ["93.184.216.34"]
    with pytest.raises(guard.RefusedError, match=r"rebind\.example \(127\.0\.0\.1\): loopback"):
        asyncio.run(backend.connect_tcp("rebind.example", 80, timeout=1))
    assert connected == ["93.184.216.34"]


def test_read_timeout(server: FeedServer) -> None:
    server.route("/slow", "<rss/>", delay=3)
    started = time.monotonic()
    error = fails(limits(server, read_timeout=0.5), server.url("/slow"))
    assert error.kind == "timeout"
    assert "read timeout" in str(error)
    assert time.monotonic() - started < 2.5


def test_total_timeout_stops_a_trickling_body(server: FeedServer) -> None:
    server.route("/drip", b"x" * 40_000, drip=0.2)  # each chunk in time, the whole far too slow
    error = fails(limits(server, read_timeout=1.0, total_timeout=1.0), server.url("/drip"))
    assert error.kind == "timeout"
    assert "total timeout" in str(error)


def test_an_endless_body_is_cut_at_the_cap(server: FeedServer) -> None:
    server.route("/endless", endless=True)
    error = fails(limits(server, max_bytes=300_000), server.url("/endless"))
    assert error.kind == "too_large"
    assert "more than 300,000 bytes" in str(error)


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: FeedServer) -> None:
    server.route("/big", b"x" * 200_000)
    error = fails(limits(server, max_bytes=100_000), server.url("/big"))
    assert "200,000 bytes; the limit is 100,000" in str(error)


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_a_compression_bomb_stops_at_the_decompressed_cap(server: FeedServer, encoding: str) -> None:
    zeros = b"\0" * 50_000_000
    packers = {"gzip": gzip.compress, "br": lambda d: brotli.compress(d, quality=1), "deflate": zlib.compress}
    packed = packers[encoding](zeros)
    assert len(packed) < 200_000
    server.route("/bomb", packed, headers={"Content-Encoding": encoding})
    error = fails(limits(server, max_decoded_bytes=1_000_000), server.url("/bomb"))
    assert error.kind == "too_large"
    assert "decompresses to more than 1,000,000 bytes" in str(error)


def test_corrupt_compressed_body(server: FeedServer) -> None:
    server.route("/bad", b"this is not gzip at all", headers={"Content-Encoding": "gzip"})
    assert fails(limits(server), server.url("/bad")).kind == "content"
    server.route("/odd", b"abc", headers={"Content-Encoding": "compress"})
    assert "unsupported content encoding" in str(fails(limits(server), server.url("/odd")))


@pytest.mark.parametrize("ctype", ["image/png", "video/mp4", "application/pdf", "audio/mpeg"])
def test_binary_content_types_are_refused(server: FeedServer, ctype: str) -> None:
    server.route("/file", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type=ctype)
    error = fails(limits(server), server.url("/file"))
    assert error.kind == "content"
    assert ctype in str(error)


def test_429_carries_retry_after(server: FeedServer) -> None:
    server.route("/busy", "slow down", status=429, content_type="text/plain", headers={"Retry-After": "120"})
    error = fails(limits(server), server.url("/busy"))
    assert (error.kind, error.status, error.retry_after) == ("http", 429, 120.0)
    assert "HTTP 429" in str(error)
    assert "retry after 120 s" in str(error)


def test_410_is_gone_and_500_is_an_error(server: FeedServer) -> None:
    server.route("/gone", "bye", status=410, content_type="text/plain")
    server.route("/broken", "oops", status=500, content_type="text/plain")
    assert fails(limits(server), server.url("/gone")).kind == "gone"
    broken = fails(limits(server), server.url("/broken"))
    assert (broken.kind, broken.status) == ("http", 500)


def test_nothing_listens(server: FeedServer) -> None:
    lim = limits(server, allow=Allowlist.parse("127.0.0.1:1"))
    error = fails(lim, "http://127.0.0.1:1/feed")
    assert error.kind == "network"


def test_retry_after_forms() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_robots_txt_is_honoured_for_pages(server: FeedServer) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/private/page.html", "<html><body>secret</body></html>", content_type="text/html")
    server.route("/public/page.html", "<html><body>hello</body></html>", content_type="text/html")

    async def run() -> tuple[Response, FetchError]:
        async with Fetcher(limits(server)) as fetcher:
            robots = RobotsCache(fetcher)
            ok = await fetcher.get(server.url("/public/page.html"), robots=robots)
            with pytest.raises(FetchError) as info:
                await fetcher.get(server.url("/private/page.html"), robots=robots)
            return ok, info.value

    ok, refused = asyncio.run(run())
    assert ok.body.endswith(b"hello</body></html>")
    assert refused.kind == "robots"
    assert server.seen("/private/page.html") == []
    assert len(server.seen("/robots.txt")) == 1  # asked once per origin


def test_robots_txt_missing_allows_and_failing_disallows(server: FeedServer) -> None:
    server.route("/page.html", "<html>hi</html>", content_type="text/html")

    async def allowed() -> bool:
        async with Fetcher(limits(server)) as fetcher:
            return await RobotsCache(fetcher).allowed(server.url("/page.html"))

    assert asyncio.run(allowed())  # robots.txt is a 404
    server.route("/robots.txt", "down", status=503, content_type="text/plain")
    assert not asyncio.run(allowed())


def test_host_gate_spaces_requests_and_bounds_concurrency() -> None:
    gate = HostGate(concurrency=1, delay=0.2)

    async def run() -> list[float]:
        starts: list[float] = []

        async def one() -> None:
            sem = await gate.enter("h")
            starts.append(time.monotonic())
            sem.release()

        await asyncio.gather(*(one() for _ in range(3)))
        return starts

    starts = asyncio.run(run())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(g >= 0.18 for g in gaps), gaps


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name `localhost` only (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def test_tls_checks_the_host_name_while_connecting_to_the_vetted_address(
    certificate: tuple[Path, Path],
) -> None:
    key, cert = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    client_side = ssl.create_default_context(cafile=str(cert))
    with FeedServer(tls=server_side) as server:
        server.route("/feed", "<rss/>")
        allow = Allowlist.parse(f"localhost:{server.port}, 127.0.0.1:{server.port}")
        lim = limits(server, allow=allow)

        async def fetch(url: str) -> Response:
            async with Fetcher(lim, GuardedTransport(allow, ssl_context=client_side)) as fetcher:
                return await fetcher.get(url)

        # By name: resolved and vetted (127.0.0.1, allowed), connected to by address, verified as `localhost`.
        assert asyncio.run(fetch(f"https://localhost:{server.port}/feed")).body == b"<rss/>"
        # By address: the certificate does not name 127.0.0.1, and the check says so.
        with pytest.raises(FetchError) as info:
            asyncio.run(fetch(f"https://127.0.0.1:{server.port}/feed"))
        assert info.value.kind == "network"
        assert "certificate verify failed" in str(info.value).lower(), info.value
