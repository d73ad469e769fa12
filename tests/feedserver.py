"""A real HTTP server on 127.0.0.1 for the fetch tests: routes set per test, requests recorded.

server.route("/feed.xml", rss(...), etag='"v1"')
server.route("/slow", b"...", delay=5)
server.route("/endless", endless=True)
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # before the status line
    drip: float = 0.0  # seconds between body chunks of 1 KiB
    endless: bool = False  # a body that never ends
    hits: int = 0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.scheme = "https" if tls else "http"
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}{path}"

    def route(self, path: str, body: bytes | str = b"", **options: Any) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(body=data, **options)
        with self.lock:
            self.routes[path] = route
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> Route:
        return self.route(path, status=status, headers={"Location": location}, content_type="text/plain")

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            headers = {k.lower(): v for k, v in handler.headers.items()}
            self.requests.append(Seen("GET", handler.path, headers))
            route = self.routes.get(handler.path)
            if route is not None:
                route.hits += 1
        if route is None:
            route = Route(body=b"not found", status=404, content_type="text/plain")
        if route.delay:
            time.sleep(route.delay)
        conditional = (route.etag and handler.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and handler.headers.get("If-Modified-Since") == route.last_modified
        )
        try:
            if conditional:
                handler.send_response(304)
                self._validators(handler, route)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            handler.send_response(route.status)
            handler.send_header("Content-Type", route.content_type)
            self._validators(handler, route)
            for name, value in route.headers.items():
                handler.send_header(name, value)
            if route.endless:
                handler.send_header("Connection", "close")
                handler.end_headers()
                chunk = b"<item><title>more</title></item>" * 2000
                while True:
                    handler.wfile.write(chunk)
            handler.send_header("Content-Length", str(len(route.body)))
            handler.end_headers()
            if route.drip:
                for start in range(0, len(route.body), 1024):
                    handler.wfile.write(route.body[start : start + 1024])
                    handler.wfile.flush()
                    time.sleep(route.drip)
            else:
                handler.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should on an endless or oversized body

    @staticmethod
    def _validators(handler: BaseHTTPRequestHandler, route: Route) -> None:
        if route.etag:
            handler.send_header("ETag", route.etag)
        if route.last_modified:
            handler.send_header("Last-Modified", route.last_modified)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


# Fixture feeds ---------------------------------------------------------------------------------------------

_WORDS = (
    "council harbour quay fleet warehouse tide ferry mayor budget school river bridge market festival",
    "storm museum railway library hospital factory election court police station garden theatre stadium",
    "airport vineyard mine forest castle orchestra bakery brewery lighthouse canal island valley glacier",
    "volcano desert harvest drought flood strike treaty summit parliament minister senator governor judge",
)

_VOCABULARY = " ".join(_WORDS).split()


def article_html(n: int, words: str = "") -> str:
    """An entry body long enough to count as the full article, and unlike any other `n`'s."""
    rng = random.Random(n)
    paragraphs = []
    for i in range(5):
        sentence = " ".join(rng.choice(_VOCABULARY) for _ in range(40))
        paragraphs.append(f"<p>{escape(words)} Story {n}, part {i}: {sentence.capitalize()}.</p>")
    return "".join(paragraphs)


def rss(
    items: list[dict[str, Any]],
    title: str = "Harbour Times",
    link: str = "https://harbour.example/",
    extra: str = "",
) -> bytes:
    parts = []
    for item in items:
        bits = [f"<title>{escape(item['title'])}</title>"]
        if item.get("link"):
            bits.append(f"<link>{escape(item['link'])}</link>")
        if item.get("guid"):
            bits.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if item.get("date"):
            bits.append(f"<pubDate>{format_datetime(item['date'], usegmt=True)}</pubDate>")
        if item.get("description"):
            bits.append(f"<description>{escape(item['description'])}</description>")
        if item.get("content"):
            bits.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append(f"<item>{''.join(bits)}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>{extra}{''.join(parts)}"
        "</channel></rss>"
    ).encode()


def items(
    count: int, start: int = 0, base: str = "https://harbour.example/news", **extra: Any
) -> list[dict[str, Any]]:
    now = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    return [
        {
            "title": f"Harbour story number {n}",
            "link": f"{base}/story-{n}",
            "guid": f"urn:harbour:{n}",
            "date": now.replace(hour=n % 24),
            "content": article_html(n, f"Unique words {n} {'x' * (n % 7)}"),
            **extra,
        }
        for n in range(start, start + count)
    ]


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
