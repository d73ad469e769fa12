"""`tidings bench web`: the reader under load. A store of synthetic articles (bulk-inserted, not run through
the pipeline), the app served by uvicorn in its own process on 127.0.0.1, and 50 concurrent clients asking
for the front page, article pages and searches; latency p50/p99 and throughput for each.

Beside them, in the same run: the floor (`/healthz`, the same server doing no work), and search's naive
peer, a LIKE scan over the same articles (what a store without a full-text index does), one client at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from tidings.store import Store
from tidings.store import schema as t
from tidings.store.search import Filters, parse_query, search, search_like

NOW = datetime(2025, 7, 2, 12, tzinfo=UTC)
BUILD_SEED = 7
# Words readers search for, mixed into the synthetic text with a Zipf-like spread so some are common and
# some rare; the rest of the vocabulary is made-up words.
TOPICS = [
    "election",
    "council",
    "budget",
    "minister",
    "harbour",
    "railway",
    "strike",
    "heatwave",
    "flood",
    "drought",
    "wildfire",
    "vaccine",
    "hospital",
    "school",
    "university",
    "court",
    "police",
    "inflation",
    "interest",
    "bank",
    "tariff",
    "export",
    "football",
    "final",
    "championship",
    "orchestra",
    "festival",
    "museum",
    "satellite",
    "telescope",
    "volcano",
    "earthquake",
    "ceasefire",
    "treaty",
    "summit",
    "pipeline",
    "refinery",
    "airline",
    "airport",
    "tunnel",
    "bridge",
    "ferry",
    "lighthouse",
    "reservoir",
    "chlorine",
    "derailment",
]
FILLER = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "that",
    "said",
    "on",
    "for",
    "with",
    "was",
    "as",
    "by",
    "at",
    "from",
    "it",
    "his",
    "her",
    "their",
    "they",
    "have",
    "has",
    "been",
    "after",
    "over",
    "more",
    "than",
    "new",
    "year",
    "week",
    "would",
    "could",
    "will",
    "about",
    "into",
    "also",
    "which",
    "but",
    "not",
    "this",
]


@dataclass(frozen=True, slots=True)
class Corpus:
    articles: int
    stories: int
    publishers: list[str]
    sites: list[str]


RARE_POOL = 50_000


def rare_word(n: int) -> str:
    return "".join(
        "bdfgklmnprstvz"[(n >> (4 * i)) % 14] + "aeiou"[(n >> (4 * i + 2)) % 5] for i in range(3)
    ) + str(n)


def _words(rng: random.Random, vocabulary: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(vocabulary, cum_weights=weights, k=n))


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    made_up = [
        "".join(rng.choices("bcdfghklmnprstvwz", k=2)) + rng.choice("aeiou") + str(i) for i in range(3000)
    ]
    vocabulary = FILLER + TOPICS + made_up
    weights = [1.0 / (rank + 8) for rank in range(len(vocabulary))]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return vocabulary, cumulative


def build_store(url: str, articles: int, seed: int = BUILD_SEED) -> Corpus:
    """`articles` synthetic articles in stories of one to five, carried by one to three sites each."""
    rng = random.Random(seed)
    vocabulary, weights = _vocabulary(rng)
    publishers = [f"The {w.title()} {kind}" for w in TOPICS for kind in ("Gazette", "Herald", "Times")][:120]
    sites = [f"aggregator{n}" for n in range(30)]
    store = Store(url)
    store.migrate()
    made = 0
    story_id = 0
    document_id = 0
    with store.engine.begin() as c:
        while made < articles:
            rows_stories, rows_articles, rows_documents, rows_copies = [], [], [], []
            for _ in range(2000):
                if made >= articles:
                    break
                story_id += 1
                size = min(rng.choice((1, 1, 1, 2, 2, 3, 5)), articles - made)
                start = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 60))
                times = sorted(start + timedelta(minutes=rng.randint(0, 600)) for _ in range(size))
                rows_stories.append(
                    {
                        "id": story_id,
                        "title": None,
                        "first_seen": times[0],
                        "last_seen": times[-1],
                        "article_count": size,
                    }
                )
                for when in times:
                    made += 1
                    title = _words(rng, vocabulary, weights, 9).capitalize()
                    body = [_words(rng, vocabulary, weights, 35) + "." for _ in range(5)]
                    # A name or two from a long tail, as news has: words only a few articles hold.
                    body[rng.randrange(5)] += f" Said {rare_word(rng.randrange(RARE_POOL))}."
                    rows_articles.append(
                        {
                            "id": made,
                            "title": title,
                            "dek": _words(rng, vocabulary, weights, 14),
                            "body": json.dumps(body),
                            "publisher": rng.choice(publishers),
                            "author": None,
                            "published_at": when,
                            "language": "en",
                            "story_id": story_id,
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
                    for position in range(rng.choice((1, 1, 2, 3))):
                        document_id += 1
                        site = sites[(made + position * 7) % len(sites)]
                        rows_documents.append(
                            {
                                "id": document_id,
                                "sha256": f"{document_id:064x}",
                                "site": site,
                                "url": f"https://{site}.example/{made}",
                                "kind": "text",
                                "encoding": "utf-8",
                                "fetched_at": when + timedelta(hours=1),
                                "ingested_at": when + timedelta(hours=1),
                                "content": b"",
                            }
                        )
                        rows_copies.append(
                            {
                                "document_id": document_id,
                                "position": 0,
                                "article_id": made,
                                "title": title,
                                "body": "[]",
                                "truncated": False,
                                "extract_changes": "[]",
                                "changes": "[]",
                                "shingles": b"",
                            }
                        )
            c.execute(insert(t.stories), rows_stories)
            c.execute(insert(t.articles), rows_articles)  # the search triggers index them as they go in
            c.execute(insert(t.documents), rows_documents)
            c.execute(insert(t.copies), rows_copies)
        c.exec_driver_sql("ANALYZE")
    store.close()
    return Corpus(articles=articles, stories=story_id, publishers=publishers, sites=sites)


def serve(url: str, port: int) -> None:
    """Run in the server process: the reader app over `url` on 127.0.0.1:`port`."""
    import uvicorn

    from tidings import settings
    from tidings.web import create_app

    store = Store(url)
    conf = settings.load({"db": url}, environ={})
    app = create_app(store, conf, clock=lambda: NOW)
    # Connections stay open between requests however long the queue (as a browser's would).
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, timeout_keep_alive=300
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    code = f"from tidings.bench.web import serve; serve({url!r}, {port})"
    process = subprocess.Popen([sys.executable, "-c", code])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the reader did not start")


async def _load(base: str, paths: list[str], clients: int) -> tuple[list[float], float, int]:
    """Send `paths` with `clients` requests in flight; (latencies in ms, wall seconds, errors)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            try:
                response = await client.get(path)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            errors += response.status_code != 200

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        return latencies, time.perf_counter() - start, errors


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _queries(rng: random.Random, n: int) -> Iterator[str]:
    for i in range(n):
        kind = i % 4
        if kind == 0:
            yield f"/search?q={rng.choice(TOPICS)}"
        elif kind == 1:
            yield f"/search?q={rng.choice(TOPICS)}+{rng.choice(TOPICS)}"
        elif kind == 2:
            yield f"/search?q=%22{rng.choice(FILLER)}+{rng.choice(TOPICS)}%22"
        else:
            yield f"/search?q={rng.choice(TOPICS)}&since=2025-06-01"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tidings bench web", description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000, help="synthetic articles (default 20000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per page kind (default 1000)")
    parser.add_argument("--db", help="keep the store at this SQLite path (reused if it exists)")
    options = parser.parse_args(argv)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(options.db) if options.db else Path(folder) / "bench.db"
        url = f"sqlite:///{path}"
        start = time.perf_counter()
        if not path.exists():
            corpus = build_store(url, options.articles)
            print(
                f"web: {corpus.articles:,} articles in {corpus.stories:,} stories, bulk-loaded "
                f"(search index included) in {time.perf_counter() - start:.1f}s"
            )
        else:
            print(f"web: reusing {path}")
        store = Store(url)
        total = _count(store)
        process, base = _start_server(url)
        try:
            kinds = {
                "floor: /healthz": ["/healthz"] * options.requests,
                "front page": [f"/?page={1 + (i % 3 == 2)}" for i in range(options.requests)],
                "article page": [f"/articles/{rng.randint(1, total)}" for _ in range(options.requests)],
                "search": list(_queries(rng, options.requests)),
            }
            asyncio.run(_load(base, ["/", "/articles/1", "/search?q=harbour"] * 20, 10))  # warm up
            print(f"  {options.requests} requests per kind; service time with one client, then under load")
            print(
                f"  {'kind':<18}{'1 client p50':>13}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}{'errors':>8}"
                f"{'p50 / floor':>13}"
            )
            floor_p50 = 0.0
            for name, paths in kinds.items():
                alone, _, _ = asyncio.run(_load(base, paths[: max(20, len(paths) // 10)], 1))
                latencies, seconds, errors = asyncio.run(_load(base, paths, options.clients))
                p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
                floor_p50 = floor_p50 or p50
                print(
                    f"  {name:<18}{_percentile(alone, 0.5):>13.1f}{p50:>9.1f}{p99:>9.1f}"
                    f"{len(paths) / seconds:>8.0f}{errors:>8}{p50 / floor_p50:>13.1f}"
                )
            print(f"  (under load: {options.clients} concurrent clients on loopback)")
        finally:
            process.terminate()
            process.wait(timeout=30)
        _search_peer(store, rng)
        store.close()
    return 0


def _count(store: Store) -> int:
    with store.engine.connect() as c:
        return int(c.exec_driver_sql("SELECT max(id) FROM articles").scalar_one() or 1)


def _search_peer(store: Store, rng: random.Random, rounds: int = 8) -> None:
    """The store's search (FTS5) beside a LIKE scan of the same articles, one query at a time, for words
    in many articles and words in few (the scan stops early only when matches are everywhere)."""
    classes = {
        "common words": [rng.choice(TOPICS) for _ in range(rounds)],
        "rare words": [rare_word(rng.randrange(RARE_POOL)) for _ in range(rounds)],
    }
    print(f"  search alone, one client, {rounds} one-word queries per class (median ms; ratio to FTS5):")
    print(f"    {'':<14}{'FTS5 (Tidings)':>16}{'LIKE scan (peer)':>18}{'ratio':>8}")
    with store.engine.connect() as c:
        for label, words in classes.items():
            fts, like = [], []
            for word in words:
                query = parse_query(word)
                start = time.perf_counter()
                search(store, query, Filters(), limit=21)
                fts.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                search_like(c, query, Filters(), 21, 0)
                like.append((time.perf_counter() - start) * 1000)
            f, s = statistics.median(fts), statistics.median(like)
            print(f"    {label:<14}{f:>16.1f}{s:>18.1f}{s / f:>8.1f}")
