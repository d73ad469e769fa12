"""Subscriptions: what the CLI and the web call to add, list and remove sources and to move them in and
out as OPML. A thin layer over `store.sources` that adds feed discovery and URL hygiene.

    subscribe(store, conf, "https://example.com/")       # finds the site's feed, adds it
    list_sources(store)                                  # every source with status and counts
    unsubscribe(store, "3")  /  unsubscribe(store, url)
    import_opml(store, data)  /  export_opml(store)
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tidings.fetch.decode import DocumentError, decode
from tidings.fetch.discover import common_feed_urls, feed_links
from tidings.fetch.feeds import Feed, FeedError, looks_like_feed, parse_feed
from tidings.fetch.guard import RefusedError
from tidings.fetch.http import FEED_ACCEPT, Fetcher, FetchError, FetchLimits
from tidings.fetch.opml import OpmlError, OpmlFeed, parse_opml, write_opml
from tidings.fetch.urls import clean_url
from tidings.models import Source
from tidings.settings import Settings
from tidings.store import Store


class SubscribeError(Exception):
    """Why a URL could not be subscribed to, in one line."""


@dataclass(frozen=True, slots=True)
class Subscribed:
    source: Source
    created: bool  # False: it was a source already


@dataclass(slots=True)
class OpmlImport:
    added: int = 0
    existing: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)


def normalise_feed_url(url: str) -> str:
    """A URL as a source keeps it; a bare host gets https://. Raises `SubscribeError`."""
    url = url.strip()
    if url and "://" not in url and not url.startswith("/"):
        url = f"https://{url}"
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise SubscribeError(f"{url!r}: only http and https feeds can be subscribed to")
    try:
        return clean_url(url)
    except RefusedError as exc:
        raise SubscribeError(str(exc)) from exc


def subscribe(
    store: Store,
    conf: Settings,
    url: str,
    *,
    category: str | None = None,
    title: str | None = None,
    discover: bool = True,
) -> Subscribed:
    """Add the feed at `url`, or the feed the page at `url` announces (or keeps at a usual path).

    With `discover=False` the URL is stored as given, unfetched."""
    feed_url = normalise_feed_url(url)
    feed: Feed | None = None
    if discover:
        feed_url, feed = asyncio.run(_bounded(find_feed(feed_url, conf), 2 * float(conf.fetch_total_timeout)))
    now = datetime.now(UTC)
    with store.begin() as tx:
        existing = tx.source_by_url(feed_url)
        if existing is not None:
            return Subscribed(existing, created=False)
        source_id = tx.add_source(
            feed_url,
            now,
            title=title or (feed.title[:500] if feed and feed.title else None),
            site_url=feed.site_url if feed else None,
            category=_category(category),
            hub=feed.hub if feed else None,
        )
        source = tx.source(source_id) if source_id is not None else tx.source_by_url(feed_url)
    assert source is not None
    return Subscribed(source, created=source_id is not None)


async def _bounded(search: Coroutine[Any, Any, tuple[str, Feed]], seconds: float) -> tuple[str, Feed]:
    """Discovery tries several URLs; all of it together gets at most `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await search
    except TimeoutError as exc:
        raise SubscribeError(f"no feed found within {seconds:g} s") from exc


async def find_feed(url: str, conf: Settings) -> tuple[str, Feed]:
    """(feed URL, feed): `url` itself when it is a feed, else the first feed its page links to as an
    alternate, else the first usual feed path of its site that holds one."""
    max_entries = int(conf.feed_max_entries)
    try:
        limits = FetchLimits.from_settings(conf)
    except FetchError as exc:  # a bad fetch_allow_hosts
        raise SubscribeError(str(exc)) from exc
    async with Fetcher(limits) as fetcher:
        try:
            response = await fetcher.get(url, accept=f"{FEED_ACCEPT}, text/html;q=0.8")
        except FetchError as exc:
            raise SubscribeError(f"{url}: {exc}") from exc
        feed_url = response.moved_to or url
        if looks_like_feed(response.body):
            try:
                return feed_url, parse_feed(
                    response.body,
                    base_url=response.url,
                    content_type=response.content_type,
                    max_entries=max_entries,
                )
            except FeedError as exc:
                raise SubscribeError(f"{url}: {exc}") from exc
        try:
            text, _ = decode(response.body)
        except DocumentError as exc:
            raise SubscribeError(f"{url}: neither a feed nor a web page ({exc})") from exc
        candidates = feed_links(text, response.url)
        candidates += [c for c in common_feed_urls(response.url) if c not in candidates]
        for candidate in candidates:
            try:
                found = await fetcher.get(candidate)
                if looks_like_feed(found.body):
                    feed = parse_feed(
                        found.body,
                        base_url=found.url,
                        content_type=found.content_type,
                        max_entries=max_entries,
                    )
                    return clean_url(found.moved_to or candidate), feed
            except (FetchError, FeedError, RefusedError):
                continue
    raise SubscribeError(f"{url}: no feed found (the page names none, and none is at the usual paths)")


def _category(category: str | None) -> str | None:
    if category is None:
        return None
    parts = [p.strip() for p in category.split("/") if p.strip()]
    return "/".join(parts)[:500] or None


def find_source(store: Store, ref: str) -> Source | None:
    """A source by its id or its URL (as given or as normalised)."""
    with store.begin() as tx:
        if ref.strip().isdigit():
            return tx.source(int(ref))
        found = tx.source_by_url(ref.strip())
        if found is None:
            try:
                found = tx.source_by_url(normalise_feed_url(ref))
            except SubscribeError:
                return None
        return found


def unsubscribe(store: Store, ref: str) -> Source | None:
    """Remove a source (by id or URL) and the record of its entries; the articles it brought stay.
    Returns the source removed, or None when there was none."""
    source = find_source(store, ref)
    if source is None:
        return None
    with store.begin() as tx:
        tx.remove_source(source.id)
    return source


def list_sources(store: Store) -> list[Source]:
    """Every source with its status (last fetch, last error, next fetch) and entry and article counts."""
    with store.begin() as tx:
        return tx.list_sources()


def import_opml(store: Store, data: bytes, *, max_bytes: int = 20_000_000) -> OpmlImport:
    """Add every feed an OPML file lists, with its category; feeds already subscribed stay as they are.
    Raises `OpmlError` for a file that is not OPML; a bad entry is reported and skipped."""
    feeds = parse_opml(data, max_bytes)
    report = OpmlImport()
    now = datetime.now(UTC)
    with store.begin() as tx:
        for item in feeds:
            try:
                url = normalise_feed_url(item.url)
            except SubscribeError as exc:
                report.invalid.append((item.url, str(exc)))
                continue
            added = tx.add_source(
                url,
                now,
                title=item.title[:500] if item.title else None,
                site_url=item.site_url,
                category=_category(item.category),
            )
            if added is None:
                report.existing += 1
            else:
                report.added += 1
    return report


def export_opml(store: Store) -> bytes:
    return write_opml(
        OpmlFeed(url=s.url, title=s.title, site_url=s.site_url, category=s.category)
        for s in list_sources(store)
    )


__all__ = [
    "OpmlError",
    "OpmlImport",
    "SubscribeError",
    "Subscribed",
    "export_opml",
    "find_feed",
    "find_source",
    "import_opml",
    "list_sources",
    "normalise_feed_url",
    "subscribe",
    "unsubscribe",
]
