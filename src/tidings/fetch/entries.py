"""Feed entries to documents: an entry's identity, whether its own content is the whole article, and the
document that carries it (the entry's content as a small HTML page, or the page the entry links to).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime

from tidings.fetch.decode import DocumentError, decode, sniff_kind
from tidings.fetch.feeds import Feed, FeedEntry
from tidings.fetch.guard import RefusedError
from tidings.fetch.http import Response
from tidings.fetch.urls import clean_url, site_of, url_key
from tidings.models import Document, DocumentKind

# An entry's own content counts as the full article from this many characters of text, unless it ends the
# way teasers end ("…", "Read more").
FULL_TEXT_CHARS = 700
_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|continue reading|read the full (?:story|article)|more »)\W*$",
    re.I,
)
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class EntryIdentity:
    """How an entry is recognised on a later fetch: by its link (normalised) or by its GUID, whichever is
    known; `content_hash` tells an updated entry from an unchanged one."""

    url_key: str | None
    guid: str | None
    content_hash: str


def identities(entries: tuple[FeedEntry, ...]) -> list[EntryIdentity]:
    """One identity per entry. A link that several entries of one feed share (a feed pointing every entry
    at its home page) identifies none of them."""
    keys = [_link_key(e.link) for e in entries]
    shared = {k for k in keys if k is not None and keys.count(k) > 1}
    return [
        EntryIdentity(
            url_key=None if key in shared else key,
            guid=_guid(entry),
            content_hash=_content_hash(entry),
        )
        for entry, key in zip(entries, keys, strict=True)
    ]


def _link_key(link: str | None) -> str | None:
    if not link:
        return None
    try:
        return url_key(link)
    except RefusedError:
        return None


def _guid(entry: FeedEntry) -> str | None:
    return entry.guid[:1000] if entry.guid else None


def _content_hash(entry: FeedEntry) -> str:
    parts = (entry.title or "", entry.content_html or entry.summary_html or "")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def plain_text(fragment: str | None) -> str:
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", fragment or ""))).strip()


def is_full(entry: FeedEntry) -> bool:
    """Does the entry carry the whole article (so its linked page need not be fetched)?"""
    text = plain_text(entry.content_html or entry.summary_html)
    return len(text) >= FULL_TEXT_CHARS and not _TEASER_END.search(text[-80:])


def entry_document(entry: FeedEntry, feed: Feed, fetched_at: datetime) -> Document | None:
    """The entry's own content as an HTML document (title, author, time and link as page metadata), or
    None when the entry has no text at all."""
    body = entry.content_html or entry.summary_html
    if not plain_text(body) and not entry.title:
        return None
    link = _clean(entry.link)
    when = entry.published_at or entry.updated_at
    head = [f"<title>{html.escape(entry.title or '')}</title>"]
    if entry.title:
        head.append(f'<meta property="og:title" content="{html.escape(entry.title)}">')
    if link:
        head.append(f'<link rel="canonical" href="{html.escape(link)}">')
        head.append(f'<meta property="og:url" content="{html.escape(link)}">')
    if feed.title:
        head.append(f'<meta property="og:site_name" content="{html.escape(feed.title)}">')
    if entry.author:
        head.append(f'<meta name="author" content="{html.escape(entry.author)}">')
    if when is not None:
        head.append(f'<meta property="article:published_time" content="{when.isoformat()}">')
    heading = f"<h1>{html.escape(entry.title)}</h1>" if entry.title else ""
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        + "".join(head)
        + f"</head><body><article>{heading}{body or ''}</article></body></html>"
    )
    content = page.encode("utf-8", "surrogatepass")
    return Document(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        kind=DocumentKind.HTML,
        text=content.decode("utf-8", "replace"),
        encoding="utf-8",
        fetched_at=fetched_at,
        site=site_of(link) or site_of(feed.site_url),
        url=link,
    )


def page_document(response: Response) -> Document:
    """A fetched page as a document, kept as received. Raises `DocumentError` for what is not text."""
    ctype = response.content_type.split(";")[0].strip().lower()
    if ctype and not (ctype.startswith("text/") or "html" in ctype or "xml" in ctype):
        raise DocumentError(f"not a web page (content type {ctype})")
    text, encoding = decode(response.body, _charset(response.content_type))
    url = _clean(response.url) or response.url
    return Document(
        content=response.body,
        sha256=hashlib.sha256(response.body).hexdigest(),
        kind=sniff_kind(text),
        text=text,
        encoding=encoding,
        fetched_at=response.fetched_at,
        site=site_of(url),
        url=url,
    )


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("'\"") or None
    return None


def _clean(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return clean_url(url)
    except RefusedError:
        return None
