"""`tidings bench fetch`: refresh many feeds from a local server, beside the floor of bare httpx GETs.

A server process (bare asyncio HTTP/1.1, gzip, ETags) serves `--feeds` RSS feeds of `--entries`
full-content entries each on 127.0.0.1. In this process, one run each, all on the same server:

- floor: bare `httpx.AsyncClient` GETs of every feed (no guard, no caps, no parsing, no store);
- fetch: Tidings' `Fetcher` (vetted connections, caps, its own decoders) on the same URLs;
- refresh: `tidings refresh` of every feed into a fresh SQLite store (parse, entry identity, entries
  recorded), documents handed to a null sink so the figure is the fetch stage's, not extraction's;
- refresh again, nothing changed: conditional requests only (304s), bytes moved;
- pipeline: a full refresh through extract, fold and cluster for `--pipeline-feeds` feeds.

There is no peer feed-refresh library to race, so the ratio is to the floor (run first and last; the
faster of the two counts). Politeness is off for the
run (every feed is on one host): host delay 0, `--concurrency` requests at once.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import multiprocessing
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import httpx
import psutil

from tidings import pipeline, refresh, settings
from tidings.fetch.http import Fetcher, FetchLimits
from tidings.store import Store

_WORDS = (
    "council harbour quay fleet warehouse tide ferry mayor budget school river bridge market festival storm",
    "museum railway library hospital factory election court police station garden theatre stadium airport",
    "vineyard mine forest castle orchestra bakery brewery lighthouse canal island valley glacier volcano",
)
_VOCABULARY = " ".join(_WORDS).split()


def feed_body(feed: int, entries: int) -> bytes:
    """A deterministic RSS 2.0 feed whose entries carry their full text (about 1 KB each)."""
    start = datetime(2025, 7, 1, tzinfo=UTC)
    parts = []
    for n in range(entries):
        seed = feed * 1000 + n
        words = " ".join(_VOCABULARY[(seed * 7 + i * 13) % len(_VOCABULARY)] for i in range(60))
        body = "".join(f"<p>Feed {feed} story {n} part {p}: {words}.</p>" for p in range(3))
        when = format_datetime(start - timedelta(hours=n), usegmt=True)
        parts.append(
            f"<item><title>Feed {feed} story {n}</title><link>https://site{feed}.example/story/{n}</link>"
            f"<guid>urn:f{feed}:{n}</guid><pubDate>{when}</pubDate>"
            f"<content:encoded>{escape(body)}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Feed {feed}</title><link>https://site{feed}.example/</link>{''.join(parts)}</channel></rss>"
    ).encode()


def _serve(sock: socket.socket, feeds: int, entries: int, sent: Any) -> None:
    """A bare asyncio HTTP/1.1 server (keep-alive, gzip, ETag, 304): light enough that the figures are
    the client's."""
    plain = [feed_body(i, entries) for i in range(feeds)]
    packed = [gzip.compress(b, 6) for b in plain]

    def answer(head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        path = parts[1].decode("latin-1") if len(parts) > 1 else ""
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            headers[key.strip().lower()] = value.strip()
        stem = path.rsplit("/", 1)[-1].split(".")[0]
        index = int(stem) if path.startswith("/feed/") and stem.isdigit() else -1
        if not 0 <= index < feeds:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        etag = f'"v1-{index}"'.encode()
        if headers.get(b"if-none-match") == etag:
            return b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\nContent-Length: 0\r\n\r\n"
        zipped = b"gzip" in headers.get(b"accept-encoding", b"")
        body = packed[index] if zipped else plain[index]
        out = [
            b"HTTP/1.1 200 OK",
            b"Content-Type: application/rss+xml",
            b"ETag: " + etag,
            b"Content-Length: " + str(len(body)).encode(),
        ]
        if zipped:
            out.append(b"Content-Encoding: gzip")
        return b"\r\n".join(out) + b"\r\n\r\n" + body

    class Connection(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                response = answer(head)
                self.transport.write(response)
                with sent.get_lock():  # requests answered, bytes sent (status line, headers, body)
                    sent[0] += 1
                    sent[1] += len(response)

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(Connection, sock=sock)
        await server.serve_forever()

    asyncio.run(run())


@dataclass
class Phase:
    name: str
    seconds: float
    requests: int
    body_bytes: int
    peak_rss: int
    note: str = ""
    wire_requests: int = 0  # as the server counts them
    wire_bytes: int = 0  # status lines, headers and bodies the server sent


class PeakMemory:
    """The highest resident set size of this process while the block runs, sampled every 20 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def _timed(name: str, run: Callable[[], tuple[int, int, str]], sent: Any) -> Phase:
    before = (sent[0], sent[1])
    with PeakMemory() as memory:
        start = time.perf_counter()
        requests, moved, note = run()
        seconds = time.perf_counter() - start
    wire = (sent[0] - before[0], sent[1] - before[1])
    return Phase(name, seconds, requests, moved, memory.peak, note, *wire)


async def _floor(urls: list[str], concurrency: int) -> tuple[int, int, str]:
    gate = asyncio.Semaphore(concurrency)
    moved = 0
    # The same pool limits as Tidings' fetcher, so the ratio is Tidings' own overhead.
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=max(8, concurrency // 4))
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(url: str) -> None:
            nonlocal moved
            async with gate:
                response = await client.get(url)
                moved += response.num_bytes_downloaded
                response.raise_for_status()

        await asyncio.gather(*(one(u) for u in urls))
    return len(urls), moved, "httpx.AsyncClient.get, body decoded"


async def _fetch_only(urls: list[str], conf: settings.Settings) -> tuple[int, int, str]:
    gate = asyncio.Semaphore(int(conf.fetch_concurrency))
    async with Fetcher(FetchLimits.from_settings(conf)) as fetcher:

        async def one(url: str) -> None:
            async with gate:
                await fetcher.get(url)

        await asyncio.gather(*(one(u) for u in urls))
        return fetcher.requests, fetcher.bytes_received, "guarded transport, capped decoders"


def _refresh(
    store: Store, conf: settings.Settings, ids: list[int], sink: refresh.Sink | None
) -> tuple[int, int, str]:
    report = refresh.refresh(store, conf, refresh.claim_due(store, ids=ids), sink=sink)
    failed = report.failed
    note = f"{report.new_entries:,} new entries, {report.documents:,} documents"
    if failed:
        note += f", {failed} FAILED: {next(r.result for r in report.results if r.status != 'ok')}"
    results = {r.result for r in report.results}
    if results == {"not modified (304)"}:
        note = "every feed answered 304 Not Modified"
    return report.requests, report.bytes_received, note


def null(_document: Any) -> pipeline.DocumentOutcome:
    """A sink that takes documents nowhere: the refresh's own cost, without extraction's."""
    return pipeline.DocumentOutcome()


def _subscribe(store: Store, urls: list[str]) -> list[int]:
    now = datetime.now(UTC)
    with store.begin() as tx:
        return [i for url in urls if (i := tx.add_source(url, now)) is not None]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench fetch", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--feeds", type=int, default=500, help="feeds to refresh (default 500; the issue's size is 2000)"
    )
    parser.add_argument("--entries", type=int, default=20, help="entries per feed (default 20)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests at once (default 32)")
    parser.add_argument(
        "--pipeline-feeds",
        type=int,
        default=1,
        help="feeds refreshed through the whole pipeline (default 1)",
    )
    args = parser.parse_args(argv)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    context = multiprocessing.get_context("fork")
    sent = context.Array("q", 2)
    server = context.Process(target=_serve, args=(sock, args.feeds, args.entries, sent), daemon=True)
    server.start()
    try:
        return _run(args, port, sent)
    finally:
        server.terminate()
        server.join(5)
        sock.close()


def _run(args: argparse.Namespace, port: int, sent: Any) -> int:
    urls = [f"http://127.0.0.1:{port}/feed/{i}.xml" for i in range(args.feeds)]
    _wait_for(urls[0])  # (counted by the server: one request before the first phase)
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{folder}/bench.db"
        conf = settings.load(
            {
                "db": db,
                "fetch_allow_hosts": f"127.0.0.1:{port}",
                "fetch_host_delay": 0,
                "fetch_host_concurrency": args.concurrency,
                "fetch_concurrency": args.concurrency,
                "fetch_total_timeout": 120,
                "fetch_read_timeout": 60,
            },
            environ={},
        )
        store = Store(db)
        store.migrate()

        def floor() -> tuple[int, int, str]:
            return asyncio.run(_floor(urls, args.concurrency))

        phases.append(_timed("floor: bare httpx GET", floor, sent))
        phases.append(_timed("Tidings fetch (no parse)", lambda: asyncio.run(_fetch_only(urls, conf)), sent))
        ids = _subscribe(store, urls)
        phases.append(_timed("refresh, first", lambda: _refresh(store, conf, ids, null), sent))
        phases.append(_timed("refresh, nothing changed", lambda: _refresh(store, conf, ids, null), sent))
        # The floor again, last: the machine is shared, and the ratio is taken to the faster of the two.
        phases.append(_timed("floor again", floor, sent))
        store.close()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{folder}/pipeline.db"
        store = Store(db)
        store.migrate()
        few = _subscribe(store, urls[: args.pipeline_feeds])
        pipeline_conf = conf.replace(db=db)
        phases.append(
            _timed("refresh + whole pipeline", lambda: _refresh(store, pipeline_conf, few, None), sent)
        )
        store.close()
    _print(args, phases)
    return 0


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("tidings bench fetch: the local feed server did not start")


def _print(args: argparse.Namespace, phases: list[Phase]) -> None:
    floor = min(p.seconds for p in phases if p.name.startswith("floor"))
    print(
        f"fetch: {args.feeds:,} feeds x {args.entries} entries from a local server (gzip, ETag), "
        f"{args.concurrency} requests at once; whole pipeline on {args.pipeline_feeds} feeds"
    )
    print(
        f"  {'run':<28}{'requests':>9}{'seconds':>9}{'req/s':>9}{'x floor':>9}"
        f"{'bytes sent':>13}{'peak RSS':>10}  note"
    )
    for p in phases:
        ratio = f"{p.seconds / floor:.2f}" if p.requests == phases[0].requests else "-"
        print(
            f"  {p.name:<28}{p.wire_requests:>9,}{p.seconds:>9.2f}"
            f"{p.wire_requests / p.seconds:>9.0f}{ratio:>9}"
            f"{p.wire_bytes:>13,}{p.peak_rss / 2**20:>8.0f}MB  {p.note}"
        )
    print("  (requests and bytes as the server counted them: status lines, headers and bodies, gzip on)")
