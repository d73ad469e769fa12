"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 read and validated here.

`parse_feed(body, ...)` gives a `Feed` with at most `max_entries` entries (the newest first, as feeds list
them). Hostile XML is disarmed before feedparser sees it: a DOCTYPE's internal subset (where entity
bombs and external entities are declared) is removed, and a feed with more entries than the cap is cut
after the last entry kept, so a 100,000-entry feed costs what a 200-entry one does.
"""

from __future__ import annotations

import calendar
import json
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import nh3

from tidings.fetch.decode import DocumentError, decode


class FeedError(Exception):
    """Why a body is not a feed we can read, in one line."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str | None
    link: str | None
    title: str | None
    content_html: str | None  # the entry's full content, when the feed carries one
    summary_html: str | None
    published_at: datetime | None
    updated_at: datetime | None
    author: str | None


@dataclass(frozen=True, slots=True)
class Feed:
    kind: str  # rss, atom, json
    title: str | None
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    hub: str | None = None  # WebSub hub the feed advertises
    self_url: str | None = None
    skipped_entries: int = 0  # entries past the cap

    @property
    def entry_times(self) -> list[datetime]:
        return [t for e in self.entries if (t := e.published_at or e.updated_at) is not None]


def looks_like_feed(body: bytes) -> bool:
    """A cheap test: does this body start like RSS, Atom, RDF or JSON Feed?"""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        return b"jsonfeed.org/version" in body[:65536].lower()
    return bool(_FEED_ROOT.search(_strip_prolog(head)))


_FEED_ROOT = re.compile(rb"^<(?:[\w.-]+:)?(?:rss|feed|rdf)[\s>/]", re.I)
_PROLOG = re.compile(rb"^(?:\s*(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>))*\s*", re.S | re.I)


def _strip_prolog(head: bytes) -> bytes:
    return _PROLOG.sub(b"", head, count=1)


def parse_feed(body: bytes, *, base_url: str, content_type: str = "", max_entries: int = 200) -> Feed:
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError("empty body, not a feed")
    if stripped.startswith((b"{", b"[")):
        return parse_json_feed(stripped, base_url=base_url, max_entries=max_entries)
    if not stripped.startswith(b"<") or b"\x00" in stripped[:65536]:
        raise FeedError(f"not a feed ({_describe(stripped, content_type)})")
    return parse_xml_feed(stripped, base_url=base_url, content_type=content_type, max_entries=max_entries)


def _describe(body: bytes, content_type: str) -> str:
    kind = content_type.split(";")[0].strip() or "no content type"
    if b"\x00" in body[:1024]:
        return f"binary data, {kind}"
    return kind


# XML feeds -------------------------------------------------------------------------------------------------

_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE\s[^>\[]*\[.*?\]\s*>", re.S | re.I)
_ITEM_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_TAG = re.compile(rb"<(/?)([\w.:-]+)[^>]*?(/?)>")
_HTML_ROOT = re.compile(rb"<html[\s>]|<!doctype\s+html", re.I)


def parse_xml_feed(body: bytes, *, base_url: str, content_type: str = "", max_entries: int = 200) -> Feed:
    head = _strip_prolog(body[:4096])
    if _HTML_ROOT.match(head) or _HTML_ROOT.search(body[:512]):
        raise FeedError("an HTML page, not a feed")
    safe = _DOCTYPE_SUBSET.sub(b"", body, count=1)
    safe, skipped = _cap_entries(safe, max_entries)
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(safe, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    version = parsed.get("version") or ""
    problem = parsed.get("bozo_exception")
    detail = f": {str(problem).splitlines()[0]}" if problem else ""
    if not version and not parsed.entries:
        raise FeedError(f"not a feed (unreadable XML{detail})")
    if not parsed.entries and isinstance(problem, xml.sax.SAXException):
        # What a lenient reading of broken XML makes of it, with nothing in it, is not worth believing.
        raise FeedError(f"malformed feed (no entries readable{detail})")
    entries = tuple(_xml_entry(e, base_url) for e in parsed.entries[:max_entries])
    info = parsed.feed
    links = info.get("links", [])
    return Feed(
        kind="atom" if version.startswith("atom") else "rss",
        title=_text(info.get("title")),
        site_url=_absolute(info.get("link"), base_url),
        entries=entries,
        hub=_rel_link(links, "hub", base_url),
        self_url=_rel_link(links, "self", base_url),
        skipped_entries=skipped + max(0, len(parsed.entries) - max_entries),
    )


def _cap_entries(body: bytes, max_entries: int) -> tuple[bytes, int]:
    """Cut the document after its `max_entries`-th entry and close the elements still open there."""
    starts = [m.start() for m in _ITEM_START.finditer(body)]
    if len(starts) <= max_entries:
        return body, 0
    first, cut = starts[0], starts[max_entries]
    open_tags: list[bytes] = []
    for match in _TAG.finditer(body, 0, first):
        closing, name, selfclosing = match.groups()
        if selfclosing or name.startswith((b"?", b"!")):
            continue
        if closing:
            if name in open_tags:
                del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
        else:
            open_tags.append(name)
    tail = b"".join(b"</" + name + b">" for name in reversed(open_tags))
    return body[:cut] + tail, len(starts) - max_entries


def _xml_entry(entry: Any, base_url: str) -> FeedEntry:
    contents = entry.get("content") or []
    content = max((c.get("value") or "" for c in contents), key=len, default="") or None
    summary = entry.get("summary") or None
    if content is not None and summary is not None and _plain(content) == _plain(summary):
        summary = None
    link = entry.get("link") or _permalink(entry)
    return FeedEntry(
        guid=_text(entry.get("id")),
        link=_absolute(link, base_url),
        title=_text(entry.get("title")),
        content_html=content,
        summary_html=summary,
        # dict.get: feedparser's own get() maps a missing `updated_parsed` to `published_parsed`, warning.
        published_at=_struct_time(dict.get(entry, "published_parsed")),
        updated_at=_struct_time(dict.get(entry, "updated_parsed")),
        author=_text(entry.get("author")),
    )


def _permalink(entry: Any) -> str | None:
    guid = entry.get("id") or ""
    return guid if entry.get("guidislink") and guid.startswith(("http://", "https://")) else None


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _rel_link(links: list[Any], rel: str, base_url: str) -> str | None:
    for link in links:
        if link.get("rel") == rel and link.get("href"):
            return _absolute(link["href"], base_url)
    return None


# JSON Feed -------------------------------------------------------------------------------------------------

_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")


def parse_json_feed(body: bytes, *, base_url: str, max_entries: int = 200) -> Feed:
    try:
        text, _encoding = decode(body)
        data = json.loads(text)
    except (DocumentError, ValueError, RecursionError) as exc:
        raise FeedError(f"not a feed (invalid JSON: {str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise FeedError("not a feed (JSON, but not an object)")
    version = data.get("version")
    if not isinstance(version, str) or not version.startswith(_JSON_FEED_VERSIONS):
        raise FeedError("not a feed (JSON without a jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("invalid JSON Feed: `items` is not a list")
    entries = [e for item in items[:max_entries] if (e := _json_entry(item, base_url)) is not None]
    hubs = data.get("hubs")
    hub = (
        next((h.get("url") for h in hubs if isinstance(h, dict) and isinstance(h.get("url"), str)), None)
        if isinstance(hubs, list)
        else None
    )
    return Feed(
        kind="json",
        title=_string(data.get("title")),
        site_url=_absolute(_string(data.get("home_page_url")), base_url),
        entries=tuple(entries),
        hub=_absolute(hub, base_url),
        self_url=_absolute(_string(data.get("feed_url")), base_url),
        skipped_entries=max(0, len(items) - max_entries) + (min(len(items), max_entries) - len(entries)),
    )


def _json_entry(item: Any, base_url: str) -> FeedEntry | None:
    """One JSON Feed item, or None when it is not an object or has no `id` (both required by the spec)."""
    if not isinstance(item, dict):
        return None
    guid = item.get("id")
    if isinstance(guid, int | float) and not isinstance(guid, bool):
        guid = str(guid)  # version 1.0 feeds in the wild use numbers
    if not isinstance(guid, str) or not guid.strip():
        return None
    content = _string(item.get("content_html"))
    if content is None and (plain := _string(item.get("content_text"))) is not None:
        content = "".join(f"<p>{_escape(p)}</p>" for p in plain.split("\n\n") if p.strip())
    summary = _string(item.get("summary"))
    return FeedEntry(
        guid=guid.strip(),
        link=_absolute(_string(item.get("url")) or _string(item.get("external_url")), base_url),
        title=_string(item.get("title")),
        content_html=nh3.clean(content) if content else None,
        summary_html=_escape(summary) if summary else None,
        published_at=_iso_time(item.get("date_published")),
        updated_at=_iso_time(item.get("date_modified")),
        author=_json_author(item),
    )


def _json_author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    names = [a["name"] for a in candidates if isinstance(a, dict) and isinstance(a.get("name"), str)]
    return ", ".join(names) or None


def _iso_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# small helpers ---------------------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _plain(html: str) -> str:
    return _SPACE.sub(" ", _TAGS.sub(" ", html)).strip()


def _text(value: Any) -> str | None:
    return _plain(value) or None if isinstance(value, str) else None


def _string(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _absolute(url: str | None, base_url: str) -> str | None:
    if not url:
        return None
    try:
        return urljoin(base_url, url.strip())
    except ValueError:
        return None
