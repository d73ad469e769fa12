"""HTTP GET for feeds and pages, bounded in every direction and polite to every host.

One `Fetcher` per run (or per serve process) holds the connection pool, the per-host gates and the
robots.txt cache. Every request goes through `guard.VettingBackend`; redirects are followed here, one hop
at a time, each re-checked and counted; the body is read as a stream and cut at a byte cap both as sent
and as decompressed (the decoders are ours, so a gzip bomb stops at the cap instead of in memory).
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import brotli
import httpcore
import httpx

from tidings.fetch.guard import Allowlist, RefusedError, VettingBackend, check_url
from tidings.settings import Settings

DEFAULT_USER_AGENT = "Tidings/0.1 (self-hosted news aggregator; feed reader)"
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
_NOT_TEXT = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip", "model/")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


class FetchError(Exception):
    """Why a fetch failed, in one line; `kind` says what sort of failure for the status shown to users.

    kinds: refused, timeout, too_large, network, http, gone, redirects, content, robots, bad_url."""

    def __init__(
        self, message: str, kind: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Everything that bounds a fetch; built from settings once."""

    allow: Allowlist = field(default_factory=Allowlist)
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000  # on the wire
    max_decoded_bytes: int = 20_000_000  # after Content-Encoding
    max_redirects: int = 5
    host_concurrency: int = 2
    host_delay: float = 1.0
    max_connections: int = 64
    # Few idle connections kept: most feeds are on hosts of their own, and httpcore's pool scans every
    # kept connection on every request (many idle ones cost more than the reconnects they save).
    max_keepalive: int = 8

    @classmethod
    def from_settings(cls, conf: Settings) -> FetchLimits:
        try:
            allow = Allowlist.parse(conf.fetch_allow_hosts)
        except ValueError as exc:
            raise FetchError(str(exc), "bad_url") from exc
        return cls(
            allow=allow,
            user_agent=conf.fetch_user_agent or DEFAULT_USER_AGENT,
            connect_timeout=conf.fetch_connect_timeout,
            read_timeout=conf.fetch_read_timeout,
            total_timeout=conf.fetch_total_timeout,
            max_bytes=conf.fetch_max_bytes,
            max_decoded_bytes=conf.max_document_bytes,
            max_redirects=conf.fetch_max_redirects,
            host_concurrency=max(1, conf.fetch_host_concurrency),
            host_delay=max(0.0, conf.fetch_host_delay),
            max_connections=max(1, conf.fetch_concurrency) * 2,
            max_keepalive=max(8, conf.fetch_concurrency // 4),
        )


@dataclass(frozen=True, slots=True)
class Response:
    """A successful (2xx) or not-modified (304) response, body decoded and capped."""

    url: str  # where the body came from, after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    # The URL to use from now on when every redirect on the way was permanent (301/308), else None.
    moved_to: str | None = None
    bytes_received: int = 0  # body bytes on the wire, all hops

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Robots(Protocol):
    async def allowed(self, url: str) -> bool: ...


class HostGate:
    """Per-host politeness: at most `concurrency` requests at once to a host, starts `delay` apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.concurrency = concurrency
        self.delay = delay
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        """A host's own wish (robots.txt Crawl-delay), never below the configured delay."""
        self._delays[host] = max(self.delay, delay)

    async def enter(self, host: str) -> asyncio.Semaphore:
        sem = self._sems.setdefault(host, asyncio.Semaphore(self.concurrency))
        await sem.acquire()
        now = time.monotonic()
        start = max(now, self._next.get(host, now))
        self._next[host] = start + self._delays.get(host, self.delay)
        if start > now:
            await asyncio.sleep(start - now)
            # Woken late (a busy loop): the next request waits from when this one really starts.
            late = time.monotonic() + self._delays.get(host, self.delay)
            self._next[host] = max(self._next[host], late)
        return sem


class Fetcher:
    """`async with Fetcher(limits) as f: response = await f.get(url)`."""

    def __init__(self, limits: FetchLimits, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.limits = limits
        self.gate = HostGate(limits.host_concurrency, limits.host_delay)
        self.requests = 0
        self.bytes_received = 0
        timeout = httpx.Timeout(
            connect=limits.connect_timeout, read=limits.read_timeout, write=limits.read_timeout, pool=None
        )
        self.client = httpx.AsyncClient(
            transport=transport
            or GuardedTransport(limits.allow, limits.max_connections, limits.max_keepalive),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address check
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate, br"},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
        robots: Robots | None = None,
    ) -> Response:
        """GET `url`, following at most `max_redirects` redirects, within `total_timeout` seconds.

        Raises `FetchError` for anything but a 2xx or 304 answer."""
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._get(url, etag, last_modified, accept, max_bytes, robots)
        except TimeoutError as exc:
            raise FetchError(
                f"took longer than {self.limits.total_timeout:g} s in all (total timeout)", "timeout"
            ) from exc

    async def _get(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        max_bytes: int | None,
        robots: Robots | None,
    ) -> Response:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        permanent = True
        received = 0
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            current = _checked(current, self.limits.allow)
            if robots is not None and not await robots.allowed(current):
                raise FetchError(f"robots.txt disallows {current}", "robots")
            response, body, moved = await self._request(current, headers, max_bytes)
            received += moved
            if response.status_code in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {response.status_code} redirect without a Location", "http")
                permanent = permanent and response.status_code in _PERMANENT
                current = urljoin(current, location.strip())
                continue
            return self._response(url, current, response, body, permanent, received)
        raise FetchError(f"more than {self.limits.max_redirects} redirects", "redirects")

    async def _request(
        self, url: str, headers: dict[str, str], max_bytes: int | None
    ) -> tuple[httpx.Response, bytes, int]:
        host = urlsplit(url).netloc
        sem = await self.gate.enter(host)
        try:
            self.requests += 1
            async with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECTS or response.status_code >= 300:
                    # Read a little for keep-alive's sake, never the whole of an error page.
                    body, moved = b"", await _drain(response, 65536)
                else:
                    _refuse_binary(response)
                    body, moved = await self._read(response, max_bytes)
        except RefusedError as exc:
            raise FetchError(str(exc), "refused") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(_timeout_message(exc, self.limits), "timeout") from exc
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():  # httpx refuses to parse the redirect target
                raise FetchError(f"redirect to an invalid URL ({_first_line(exc)})", "redirects") from exc
            raise FetchError(f"network error: {_first_line(exc)}", "network") from exc
        except httpx.TransportError as exc:
            raise FetchError(f"network error: {_first_line(exc) or type(exc).__name__}", "network") from exc
        finally:
            sem.release()
        self.bytes_received += moved
        return response, body, moved

    async def _read(self, response: httpx.Response, max_bytes: int | None) -> tuple[bytes, int]:
        cap = min(max_bytes or self.limits.max_bytes, self.limits.max_bytes)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"body too large ({int(declared):,} bytes; the limit is {cap:,})", "too_large")
        decoder = _decoder(response.headers.get("content-encoding", ""), self.limits.max_decoded_bytes)
        parts: list[bytes] = []
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > cap:
                raise FetchError(f"body too large (more than {cap:,} bytes)", "too_large")
            parts.append(decoder.feed(chunk))
        parts.append(decoder.flush())
        return b"".join(parts), received

    def _response(
        self, asked: str, url: str, response: httpx.Response, body: bytes, permanent: bool, received: int
    ) -> Response:
        status = response.status_code
        if status == 304 or 200 <= status < 300:
            return Response(
                url=url,
                status=status,
                body=body,
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                fetched_at=datetime.now(UTC),
                moved_to=url if permanent and url != asked else None,
                bytes_received=received,
            )
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        reason = response.reason_phrase or "error"
        if status == 410:
            raise FetchError(f"HTTP 410 {reason}: gone for good", "gone", status=status)
        message = f"HTTP {status} {reason}"
        if retry_after is not None:
            message += f" (retry after {retry_after:.0f} s)"
        raise FetchError(message, "http", status=status, retry_after=retry_after)


def _checked(url: str, allow: Allowlist) -> str:
    try:
        return check_url(url, allow)
    except RefusedError as exc:
        raise FetchError(str(exc), "refused") from exc


def _refuse_binary(response: httpx.Response) -> None:
    ctype = response.headers.get("content-type", "").lower()
    if ctype.startswith(_NOT_TEXT):
        raise FetchError(f"not a feed or a page (content type {ctype.split(';')[0]})", "content")


async def _drain(response: httpx.Response, limit: int) -> int:
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read >= limit:
            break
    return read


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _timeout_message(exc: httpx.TimeoutException, limits: FetchLimits) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {limits.connect_timeout:g} s (connect timeout)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {limits.read_timeout:g} s (read timeout)"
    return f"timed out ({type(exc).__name__})"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# Content-Encoding decoders, each bounded on its output ---------------------------------------------------


class _Decoder(Protocol):
    def feed(self, data: bytes) -> bytes: ...
    def flush(self) -> bytes: ...


class _Identity:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0

    def feed(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.limit:
            raise _too_large(self.limit)
        return data

    def flush(self) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), never more than `limit` bytes out."""

    def __init__(self, limit: int, gzip: bool) -> None:
        self.limit = limit
        self.total = 0
        self.gzip = gzip
        self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self.first = True

    def feed(self, data: bytes) -> bytes:
        try:
            out = self.obj.decompress(data, self.limit - self.total + 1)
        except zlib.error as exc:
            if not (self.first and not self.gzip):
                raise FetchError(f"corrupt compressed body ({exc})", "content") from exc
            self.obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
            out = self._raw(data)
        self.first = False
        return self._count(out)

    def _raw(self, data: bytes) -> bytes:
        try:
            return self.obj.decompress(data, self.limit - self.total + 1)
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body ({exc})", "content") from exc

    def _count(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.limit:
            raise _too_large(self.limit)
        return out

    def flush(self) -> bytes:
        return self._count(self.obj.flush())


class _Brotli:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self.obj = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        try:
            parts = [self.obj.process(data, output_buffer_limit=self.limit - self.total + 1)]
            self._count(parts[-1])
            while not self.obj.can_accept_more_data():
                parts.append(self.obj.process(b"", output_buffer_limit=self.limit - self.total + 1))
                self._count(parts[-1])
        except brotli.error as exc:
            raise FetchError(f"corrupt brotli body ({exc})", "content") from exc
        return b"".join(parts)

    def _count(self, out: bytes) -> None:
        self.total += len(out)
        if self.total > self.limit:
            raise _too_large(self.limit)

    def flush(self) -> bytes:
        return b""


def _too_large(limit: int) -> FetchError:
    return FetchError(f"body decompresses to more than {limit:,} bytes", "too_large")


def _decoder(encoding: str, limit: int) -> _Decoder:
    names = [e.strip().lower() for e in encoding.split(",") if e.strip() and e.strip().lower() != "identity"]
    if not names:
        return _Identity(limit)
    if len(names) > 1:
        raise FetchError(f"unsupported content encoding {encoding!r}", "content")
    name = names[0]
    if name in ("gzip", "x-gzip"):
        return _Zlib(limit, gzip=True)
    if name == "deflate":
        return _Zlib(limit, gzip=False)
    if name == "br":
        return _Brotli(limit)
    raise FetchError(f"unsupported content encoding {name!r}", "content")


# The transport: httpx requests over an httpcore pool whose every connection is vetted -------------------


class GuardedTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool whose connections all go through `VettingBackend`. The pool connects to
    the vetted address; TLS is still started with the URL's host name (SNI and certificate check)."""

    def __init__(
        self,
        allow: Allowlist,
        max_connections: int = 64,
        max_keepalive: int = 8,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive,
            keepalive_expiry=30.0,
            network_backend=VettingBackend(allow),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self.pool.handle_async_request(core_request)
        except httpcore.TimeoutException as exc:  # httpx's own classes, so callers see one family
            raise _httpx_error(exc) from exc
        except httpcore.NetworkError as exc:
            raise _httpx_error(exc) from exc
        except httpcore.ProtocolError as exc:
            raise _httpx_error(exc) from exc
        except httpcore.UnsupportedProtocol as exc:
            raise httpx.UnsupportedProtocol(str(exc)) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Stream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


class _Stream(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self.stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self.stream:
                yield part
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _httpx_error(exc) from exc

    async def aclose(self) -> None:
        if hasattr(self.stream, "aclose"):
            await self.stream.aclose()


def _httpx_error(exc: Exception) -> httpx.TransportError:
    """The httpx exception of the same name (httpcore and httpx mirror each other's classes)."""
    cls = getattr(httpx, type(exc).__name__, None)
    if isinstance(cls, type) and issubclass(cls, httpx.TransportError):
        return cls(str(exc))
    return httpx.TransportError(str(exc))
