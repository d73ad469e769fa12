"""The refresh: fetch the feeds that are due, turn their new entries into documents, put each through the
same pipeline as `tidings ingest`, and store what happened to every feed and when to look again.

Fetching is asynchronous (many feeds at once, each host gated by `fetch.HostGate`); everything that
touches the store runs on one worker thread, in the order the fetches finish, one transaction per
document as the pipeline does it. A feed's new validators (ETag, Last-Modified) are saved only after its
entries are in, so a crash mid-way means the entries are fetched again and found already stored.
Every failure ends as a status line on the source; nothing stored before is touched by a failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from tidings import pipeline
from tidings.fetch.decode import DocumentError
from tidings.fetch.entries import EntryIdentity, entry_document, identities, is_full, page_document
from tidings.fetch.feeds import Feed, FeedEntry, FeedError, parse_feed
from tidings.fetch.http import PAGE_ACCEPT, Fetcher, FetchError, FetchLimits, Response
from tidings.fetch.robots import RobotsCache
from tidings.fetch.schedule import Bounds, backoff, jittered, next_interval
from tidings.models import Document, Source
from tidings.settings import Settings
from tidings.store import Store
from tidings.store.sources import EntryRecord, KnownEntry
from tidings.text import error_line

T = TypeVar("T")
Sink = Callable[[Document], pipeline.DocumentOutcome]
LEASE = timedelta(minutes=30)  # how long a claimed source is left alone by other refreshers
BATCH = 16  # entries turned into documents (their pages fetched) at once, per feed


@dataclass(slots=True)
class SourceResult:
    """What one feed's refresh did, in the words `tidings sources` shows."""

    source_id: int
    url: str
    status: str  # ok, error, gone
    result: str
    new_entries: int = 0
    documents: int = 0
    new_articles: int = 0
    failed_entries: int = 0


@dataclass(slots=True)
class RefreshReport:
    results: list[SourceResult] = field(default_factory=list)
    requests: int = 0
    bytes_received: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(r.status != "ok" for r in self.results)

    @property
    def new_entries(self) -> int:
        return sum(r.new_entries for r in self.results)

    @property
    def documents(self) -> int:
        return sum(r.documents for r in self.results)

    @property
    def new_articles(self) -> int:
        return sum(r.new_articles for r in self.results)


def claim_due(store: Store, ids: Sequence[int] = (), now: datetime | None = None) -> list[Source]:
    """The sources due now (or the sources `ids`, due or not), leased to this refresher."""
    now = now or datetime.now(UTC)
    with store.begin() as tx:
        return tx.claim_due_sources(now, now + LEASE, ids=ids)


def refresh(
    store: Store,
    conf: Settings,
    sources: Sequence[Source] | None = None,
    *,
    on_result: Callable[[SourceResult], None] | None = None,
    sink: Sink | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RefreshReport:
    """Refresh `sources` (default: all due ones) and return what happened; blocks until done."""
    todo = list(sources) if sources is not None else claim_due(store)
    return asyncio.run(Refresher(store, conf, sink=sink, transport=transport).run(todo, on_result))


class Refresher:
    def __init__(
        self,
        store: Store,
        conf: Settings,
        *,
        sink: Sink | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.conf = conf
        self.sink: Sink = sink or (lambda doc: pipeline.ingest_document(store, doc, conf))
        self.limits = FetchLimits.from_settings(conf)
        self.transport = transport
        self.bounds = Bounds(float(conf.refresh_min_interval), float(conf.refresh_max_interval))
        self.max_entries = max(1, int(conf.feed_max_entries))

    async def run(
        self, sources: Sequence[Source], on_result: Callable[[SourceResult], None] | None = None
    ) -> RefreshReport:
        report = RefreshReport()
        started = time.perf_counter()
        gate = asyncio.Semaphore(max(1, int(self.conf.fetch_concurrency)))
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tidings-store") as executor:
            self._executor = executor
            async with Fetcher(self.limits, self.transport) as fetcher:
                self.fetcher = fetcher
                self.robots = RobotsCache(fetcher)

                async def one(source: Source) -> None:
                    async with gate:
                        result = await self._guarded(source)
                    report.results.append(result)
                    if on_result is not None:
                        on_result(result)

                await asyncio.gather(*(one(s) for s in sources))
                report.requests = fetcher.requests
                report.bytes_received = fetcher.bytes_received
        report.seconds = time.perf_counter() - started
        return report

    async def _db(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    async def _guarded(self, source: Source) -> SourceResult:
        try:
            return await self._refresh(source)
        except Exception as exc:  # a bug must not cost the other feeds; say so on the source
            error = FetchError(f"internal error ({error_line(exc)})", "internal")
            return await self._db(self._record_failure, source, error)

    async def _refresh(self, source: Source) -> SourceResult:
        try:
            response = await self.fetcher.get(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
        except FetchError as exc:
            return await self._db(self._record_failure, source, exc)
        if response.not_modified:
            return await self._db(self._record_success, source, response, None, "not modified (304)", [])
        body_hash = hashlib.sha256(response.body).hexdigest()
        if body_hash == source.body_hash:
            return await self._db(self._record_success, source, response, None, "unchanged", [])
        try:
            feed = parse_feed(
                response.body,
                base_url=response.url,
                content_type=response.content_type,
                max_entries=self.max_entries,
            )
        except FeedError as exc:
            return await self._db(self._record_failure, source, FetchError(str(exc), "content"))
        idents = identities(feed.entries)
        known = await self._db(self._known, source.id, idents)
        todo = [
            (entry, ident, match)
            for entry, ident, match in zip(feed.entries, idents, known, strict=True)
            if match is None or _worth_again(match, ident, entry)
        ]
        todo.reverse()  # feeds list the newest first; take them in as they were published
        counts = {"entries": len(todo), "documents": 0, "new_articles": 0, "failed": 0}
        for start in range(0, len(todo), BATCH):  # pages fetched a batch at a time: bounded memory
            batch = todo[start : start + BATCH]
            made = await asyncio.gather(*(self._document(entry, feed, response) for entry, _, _ in batch))
            for key, value in (await self._db(self._ingest, source, batch, made)).items():
                counts[key] += value
        summary = _summary(len(todo), counts, feed)
        return await self._db(self._record_success, source, response, feed, summary, [counts])

    async def _document(
        self, entry: FeedEntry, feed: Feed, response: Response
    ) -> tuple[Document | None, str | None]:
        """The entry's own content when it is the whole article, else its page; the entry's text when the
        page cannot be had (robots.txt, an error), with the reason."""
        if is_full(entry) or not entry.link:
            return entry_document(entry, feed, response.fetched_at), None
        try:
            page = await self.fetcher.get(entry.link, accept=PAGE_ACCEPT, robots=self.robots)
            return page_document(page), None
        except (FetchError, DocumentError) as exc:
            return entry_document(entry, feed, response.fetched_at), f"page not used: {exc}"

    # store side (the worker thread) ---------------------------------------------------------------------

    def _known(self, source_id: int, idents: list[EntryIdentity]) -> list[KnownEntry | None]:
        with self.store.begin() as tx:
            return tx.known_entries(source_id, [(i.url_key, i.guid, i.content_hash) for i in idents])

    def _ingest(
        self,
        source: Source,
        todo: list[tuple[FeedEntry, EntryIdentity, KnownEntry | None]],
        made: list[tuple[Document | None, str | None]],
    ) -> dict[str, int]:
        counts = {"documents": 0, "new_articles": 0, "failed": 0}
        records: list[tuple[EntryRecord, int | None]] = []
        for (entry, ident, match), (document, note) in zip(todo, made, strict=True):
            status, error, sha = "empty", note, None
            if document is not None:
                sha = document.sha256
                try:
                    outcome = self.sink(document)
                    status = "ingested"
                    counts["documents"] += 1
                    counts["new_articles"] += outcome.new_articles
                except Exception as exc:  # the document's transaction rolled back; the rest go on
                    status, error = "failed", f"not ingested ({error_line(exc)})"
                    counts["failed"] += 1
            record = EntryRecord(
                url_key=ident.url_key,
                guid=ident.guid,
                content_hash=ident.content_hash,
                link=entry.link,
                title=entry.title,
                published_at=entry.published_at or entry.updated_at,
                document_sha256=sha,
                status=status,
                error=error,
            )
            records.append((record, match.id if match else None))
        # One transaction for the batch's entry records: a crash before it leaves documents stored and
        # entries unrecorded, which the next refresh records again (the documents are then duplicates).
        now = datetime.now(UTC)
        with self.store.begin() as tx:
            tx.save_entries(source.id, records, now)
        return counts

    def _record_success(
        self,
        source: Source,
        response: Response,
        feed: Feed | None,
        summary: str,
        counts: list[dict[str, int]],
    ) -> SourceResult:
        now = datetime.now(UTC)
        new = sum(c.get("entries", 0) for c in counts)
        changed = feed is not None and new > 0
        interval = next_interval(
            source.interval_seconds, changed, feed.entry_times if feed else [], self.bounds
        )
        values: dict[str, Any] = {
            "status": "ok",
            "last_error": None,
            "failures": 0,
            "last_http_status": response.status,
            "last_fetch_at": now,
            "last_success_at": now,
            "next_fetch_at": now + timedelta(seconds=jittered(interval)),
            "interval_seconds": interval,
        }
        if changed:
            values["last_change_at"] = now
        failed = sum(c.get("failed", 0) for c in counts)
        if failed:  # forget the validators, so that the next fetch brings the entries to try again
            values |= {"etag": None, "last_modified": None, "body_hash": None}
        elif not response.not_modified:
            values["etag"] = response.etag
            values["last_modified"] = response.last_modified
            values["body_hash"] = hashlib.sha256(response.body).hexdigest()
        if feed is not None:
            values["hub"] = feed.hub
            if not source.title and feed.title:
                values["title"] = feed.title[:500]
            if not source.site_url and feed.site_url:
                values["site_url"] = feed.site_url
        with self.store.begin() as tx:
            if response.moved_to is not None:
                if tx.move_source(source.id, response.moved_to):
                    summary += f"; moved permanently to {response.moved_to}"
                else:
                    summary += f"; moved to {response.moved_to}, which is already a source"
            values["last_result"] = summary
            tx.update_source(source.id, **values)
        total = {k: sum(c.get(k, 0) for c in counts) for k in ("documents", "new_articles", "failed")}
        return SourceResult(
            source.id,
            response.moved_to or source.url,
            "ok",
            summary,
            new_entries=new,
            documents=total["documents"],
            new_articles=total["new_articles"],
            failed_entries=total["failed"],
        )

    def _record_failure(self, source: Source, error: FetchError) -> SourceResult:
        now = datetime.now(UTC)
        failures = source.failures + 1
        message = str(error)
        values: dict[str, Any] = {
            "last_error": message,
            "failures": failures,
            "last_http_status": error.status,
            "last_fetch_at": now,
        }
        if error.kind == "gone":
            values |= {
                "status": "gone",
                "next_fetch_at": None,
                "last_result": f"{message}; no longer fetched",
            }
        else:
            delay = backoff(failures, self.bounds, error.retry_after)
            values |= {
                "status": "error",
                "next_fetch_at": now + timedelta(seconds=delay),
                "last_result": f"{message}; failed {failures} time{'s' * (failures > 1)} in a row, "
                f"next try in {_human(delay)}",
            }
        with self.store.begin() as tx:
            tx.update_source(source.id, **values)
        return SourceResult(source.id, source.url, values["status"], values["last_result"])


def _worth_again(known: KnownEntry, ident: EntryIdentity, entry: FeedEntry) -> bool:
    """A known entry is taken in again when the pipeline failed on it last time, or when its full content
    changed (an update; fold makes it another copy of its article)."""
    return known.status == "failed" or (known.content_hash != ident.content_hash and is_full(entry))


def _summary(new: int, counts: dict[str, int], feed: Feed) -> str:
    if new == 0:
        text = "no new entries"
    else:
        text = f"{new} new entr{'ies' if new != 1 else 'y'}"
        if counts["failed"]:
            text += f" ({counts['failed']} not ingested)"
    if feed.skipped_entries:
        text += f"; {feed.skipped_entries:,} older entries beyond the cap of {len(feed.entries)} skipped"
    return text


def _human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class BackgroundRefresher:
    """What `tidings serve` runs beside the web app: a thread that refreshes due feeds every
    `refresh_every` seconds until stopped."""

    def __init__(self, store: Store, conf: Settings) -> None:
        self.store = store
        self.conf = conf
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tidings-refresh", daemon=True)
        self.runs = 0

    def start(self) -> BackgroundRefresher:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                due = claim_due(self.store)
                if due:
                    refresh(self.store, self.conf, due)
            except Exception as exc:  # keep serving; say what went wrong
                print(f"tidings: background refresh failed: {error_line(exc)}", file=sys.stderr)
            self.runs += 1
            self.stopping.wait(max(1.0, float(self.conf.refresh_every)))
