"""What a page says about its article outside the body text: headline, dek, authors, site, times, canonical
URL, language, lead image. Read from meta tags (Open Graph, Twitter, Dublin Core, Parse.ly…), JSON-LD,
microdata, <time> elements and the page's headings, each field from the most reliable source that has it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tidings.extract.dates import find_written_date, parse_date
from tidings.text import collapse_ws, normalise

_ARTICLE_TYPES = re.compile(r"article|posting|report|story|review|blog|creativework|webpage|recipe", re.I)
_PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "article:published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dcterms:created",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
    "prism.publicationdate",
    "publication_date",
    "pubdate",
    "date",
    "og:release_date",
    "cxenseparse:recs:publishtime",
)
_MODIFIED_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·•/]\s+|\s*[|»·•]\s*")
# Parts of a headline element that are not the headline: the kicker above it, a section label.
_KICKER = re.compile(r"kicker|overline|dachzeile|topline|roofline|eyebrow|supertitle|subtitle|label|rubric")
# Elements whose class says they hold a date (checked after the machine-readable sources).
_DATED = ", ".join(
    f'[class*="{word}"]' for word in ("date", "time", "publish", "posted", "datum", "fecha", "byline", "meta")
)
_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")
_BYLINE_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|written by|text:?|autor(?:in)?:?|author:?)\s+", re.I)
_BYLINE_PARTS = re.compile(r"\s*[·•|—–]\s*|\s+-\s+")
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.I)
_NOT_A_NAME = re.compile(r"\d|@|https?:|www\.|\.(?:com|de|org|net)\b", re.I)


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    canonical_url: str | None = None
    language: str | None = None
    image: str | None = None
    body: str | None = None  # the article's text as its JSON-LD gives it (articleBody), if it does

    @property
    def author(self) -> str | None:
        return "; ".join(self.authors) if self.authors else None


def read_metadata(tree: LexborHTMLParser, url: str | None, fetched_at: datetime | None = None) -> PageMeta:
    metas = _meta_tags(tree)
    ld = _json_ld_article(tree)
    site_name = _first(
        metas.get("og:site_name"), _ld_name(ld.get("publisher")), metas.get("application-name")
    )
    title_tag = tree.css_first("title")
    page_title = collapse_ws(title_tag.text()) if title_tag is not None else None
    references = [
        t
        for t in (metas.get("og:title"), metas.get("twitter:title"), _ld_text(ld.get("headline")), page_title)
        if t
    ]
    canonical = _canonical(tree, metas, url)
    return PageMeta(
        title=_headline(tree, references, site_name),
        description=_first(
            metas.get("og:description"), metas.get("description"), metas.get("twitter:description")
        ),
        authors=_authors(tree, metas, ld),
        site_name=site_name,
        published_at=_published(tree, metas, ld, canonical or url, fetched_at),
        modified_at=_date_of(
            _first(*(metas.get(k) for k in _MODIFIED_KEYS), _ld_text(ld.get("dateModified")))
        ),
        canonical_url=canonical,
        language=_language(tree, metas),
        image=_image(metas, ld, url),
        body=ld.get("articleBody") if isinstance(ld.get("articleBody"), str) else None,
    )


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """name/property/itemprop (lower-cased) -> content, first occurrence wins."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = attrs.get("content")
        if not content or not content.strip():
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = attrs.get(key)
            if name:
                found.setdefault(name.strip().lower(), collapse_ws(content))
    return found


def _json_ld_items(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
                yield item


def _json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    """The page's article in its JSON-LD (the first item of an article-like type, else one with a
    headline)."""
    fallback: dict[str, Any] = {}
    for item in _json_ld_items(tree):
        kind = item.get("@type")
        kinds = " ".join(k for k in kind if isinstance(k, str)) if isinstance(kind, list) else str(kind or "")
        if _ARTICLE_TYPES.search(kinds) and (item.get("headline") or item.get("datePublished")):
            if "webpage" not in kinds.lower():
                return item
            fallback = fallback or item
        elif not fallback and (item.get("headline") or item.get("datePublished")):
            fallback = item
    return fallback


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return collapse_ws(value) if isinstance(value, str) and value.strip() else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _ld_text(value)


def _ld_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _ld_name(item)
        if name:
            names.append(name)
    return names


# --- headline ---------------------------------------------------------------------------------------------


def _headline(tree: LexborHTMLParser, references: list[str], site_name: str | None) -> str | None:
    """The headline as the page shows it: the <h1> (or else <h2>) that the page's declared titles agree
    with, else the declared title without the site's name."""
    refs = [_words(r) for r in references]
    site = normalise(site_name) if site_name else None
    for selector, needed in (("h1", 0.5), ("h2", 0.75)):
        best, best_key = None, (0.0, 0)
        for node in tree.css(selector)[:20]:
            text = _heading_text(node)
            if not text or len(text) > 300 or normalise(text) == site:
                continue  # the site's name set as a heading (its logo) is not the headline
            words = _words(text)
            sims = [_similarity(words, r) for r in refs]
            # the best agreement, then how many of the declared titles agree (the <title> also holds
            # the site's name)
            key = (max(sims, default=0.0), sum(sim >= needed for sim in sims))
            if key > best_key:
                best, best_key = text, key
        if best is not None and best_key[0] >= needed:
            return best
    if not refs:
        first = tree.css_first("h1")
        return _heading_text(first) if first is not None else None
    return _strip_site(references[0], site_name)


def _heading_text(node: LexborNode) -> str | None:
    kicker = [
        n
        for n in node.css("[class]")
        if _KICKER.search((n.attributes.get("class") or "").lower()) and len(n.text()) < len(node.text())
    ]
    text = node.text(separator=" ")
    for part in kicker:
        piece = part.text(separator=" ").strip()
        if piece:
            text = text.replace(piece, " ", 1)
    text = collapse_ws(text)
    return text or None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", normalise(text)))


def _similarity(a: set[str], b: set[str]) -> float:
    """Share of the heading's words that the reference has (a reference may add a site name)."""
    if not a or not b:
        return 0.0
    return len(a & b) / max(len(a), len(b) * 0.6)


def _strip_site(title: str, site_name: str | None) -> str:
    """'Headline | Site' -> 'Headline'."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    site = normalise(site_name) if site_name else None
    kept = [p for p in parts if normalise(p) != site]
    return max(kept or parts, key=len).strip()


# --- authors ----------------------------------------------------------------------------------------------


_AUTHOR_SELECTORS = (
    '[itemprop="author"] [itemprop="name"]',
    '[itemprop="author"]',
    '[rel="author"]',
    '[class*="byline"] [class*="author"]',
    '[class*="author-name"]',
    '[class*="byline"]',
)


def _authors(tree: LexborHTMLParser, metas: dict[str, str], ld: dict[str, Any]) -> tuple[str, ...]:
    """Authors from JSON-LD, else meta tags, else the page's author markup and byline, in that order."""
    names = _clean_names(_ld_names(ld.get("author")))
    raw = _first(
        metas.get("author"),
        metas.get("article:author"),
        metas.get("dc.creator"),
        metas.get("sailthru.author"),
        metas.get("parsely-author"),
    )
    if not names and raw and not raw.startswith("http"):
        names = _clean_names([raw])
    for selector in _AUTHOR_SELECTORS:
        if names:
            break
        node = tree.css_first(selector)
        if node is not None:
            names = _clean_names([node.attributes.get("content") or node.text(separator=" ")])
    return tuple(names)


def _clean_names(raw: list[str]) -> list[str]:
    """Person names from byline text: "By Anna Keller and Ben Ode · 1 July 2025" -> both names."""
    out: list[str] = []
    for item in raw:
        for part in _BYLINE_PARTS.split(collapse_ws(item or "")):
            text = _BYLINE_PREFIX.sub("", part.strip())
            for name in _SPLIT_AUTHORS.split(text):
                name = name.strip(" .,:|-–—")
                if (
                    2 <= len(name) <= 60
                    and not _NOT_A_NAME.search(name)
                    and len(name.split()) <= 5
                    and name not in out
                ):
                    out.append(name)
    return out


# --- times ------------------------------------------------------------------------------------------------


def _date_of(raw: str | None, fetched_at: datetime | None = None) -> datetime | None:
    return parse_date(raw, fetched_at) if raw else None


def _published(
    tree: LexborHTMLParser,
    metas: dict[str, str],
    ld: dict[str, Any],
    url: str | None,
    fetched_at: datetime | None,
) -> datetime | None:
    """The publication time: machine-readable sources first (JSON-LD, meta tags, microdata, <time>),
    then a date in the URL, then a date written in an element marked as one, then the modification time.
    An instant given in UTC is shown in the page's own zone when another source or the URL tells it."""
    stamps = [
        *(metas.get(k) for k in _PUBLISHED_KEYS[:2]),  # Open Graph's article:published_time
        _ld_text(ld.get("datePublished")),
        *(metas.get(k) for k in _PUBLISHED_KEYS[2:]),
    ]
    found = [when for raw in stamps if (when := _plausible(_date_of(raw, fetched_at), fetched_at))]
    if not found or found[0].utcoffset() == timedelta(0):
        # Microdata and <time> elements: read when the head says nothing, or gives a UTC instant whose
        # local zone they may tell.
        marked = tree.css('[itemprop="datePublished"], time[datetime], time[pubdate]')[:5]
        raws = (n.attributes.get("content") or n.attributes.get("datetime") or n.text() for n in marked)
        found += [when for raw in raws if (when := _plausible(_date_of(raw, fetched_at), fetched_at))]
    match = _URL_DATE.search(url or "")
    url_day = _url_day(match.groups()) if match else None
    if found:
        return _local(found[0], found[1:], url_day)
    if url_day is not None:
        return datetime(url_day.year, url_day.month, url_day.day, tzinfo=UTC)
    for node in tree.css(_DATED)[:30]:
        text = node.text(separator=" ")
        day = find_written_date(text) if len(text) < 200 else None
        when = _plausible(datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None, fetched_at)
        if when is not None:
            return when
    modified = _first(*(metas.get(k) for k in _MODIFIED_KEYS), _ld_text(ld.get("dateModified")))
    return _plausible(_date_of(modified, fetched_at), fetched_at)


def _plausible(when: datetime | None, fetched_at: datetime | None) -> datetime | None:
    """Not after the page was fetched (an archive widget's or a copyright line's future year)."""
    if when is None or fetched_at is None:
        return when
    return when if when <= fetched_at + timedelta(days=1) else None


def _url_day(groups: tuple[str | Any, ...]) -> date | None:
    try:
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    except ValueError:
        return None


def _local(when: datetime, others: list[datetime], url_day: date | None) -> datetime:
    """`when` in the page's zone: another source's offset for the same instant, else the zone that puts
    it on the URL's day (a UTC time past midnight for a site west of Greenwich)."""
    if when.utcoffset() == timedelta(0):
        for other in others:
            offset = other.utcoffset()
            if offset and abs((other - when).total_seconds()) < 60:
                return when.astimezone(other.tzinfo)
    if url_day is not None and when.date() != url_day and abs((when.date() - url_day).days) == 1:
        for hours in sorted(range(-12, 15), key=abs):
            shifted = when.astimezone(timezone(timedelta(hours=hours)))
            if shifted.date() == url_day:
                return shifted
    return when


# --- the rest ---------------------------------------------------------------------------------------------


def _canonical(tree: LexborHTMLParser, metas: dict[str, str], url: str | None) -> str | None:
    link = tree.css_first('link[rel="canonical"]')
    href = link.attributes.get("href") if link is not None else None
    href = href or metas.get("og:url")
    if not href:
        return url
    href = href.strip()
    return urljoin(url, href) if url else href


def _language(tree: LexborHTMLParser, metas: dict[str, str]) -> str | None:
    node = tree.css_first("html")
    lang = node.attributes.get("lang") if node is not None else None
    lang = lang or metas.get("content-language") or metas.get("og:locale") or metas.get("language")
    if not lang:
        return None
    code = re.split(r"[-_,;\s]", lang.strip().lower())[0]
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def _image(metas: dict[str, str], ld: dict[str, Any], url: str | None) -> str | None:
    raw = _first(
        metas.get("og:image"),
        metas.get("og:image:url"),
        metas.get("twitter:image"),
        metas.get("twitter:image:src"),
    )
    if raw is None:
        image = ld.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        if isinstance(image, dict):
            image = image.get("url")
        raw = image if isinstance(image, str) else None
    if not raw:
        return None
    absolute = urljoin(url, raw.strip()) if url else raw.strip()
    return absolute if urlsplit(absolute).scheme in ("http", "https", "") else None
