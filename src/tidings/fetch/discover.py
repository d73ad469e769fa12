"""Feed discovery: the feeds a web page announces (`<link rel="alternate" type="application/rss+xml">` and
friends), then the paths where sites usually keep one.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/x.atom+xml",
        "text/xml",
        "application/xml",
    }
)
COMMON_PATHS = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/?feed=rss2",
)
MAX_CANDIDATES = 8


def feed_links(html: str, base_url: str) -> list[str]:
    """Feeds the page links to as alternates, in page order, absolute, without repeats."""
    tree = LexborHTMLParser(html[:2_000_000])
    base = base_url
    for node in tree.css("base[href]"):
        base = urljoin(base_url, node.attributes.get("href") or "")
        break
    found: list[str] = []
    for node in tree.css("link[href], a[href]"):
        attrs = node.attributes
        rels = (attrs.get("rel") or "").lower().split()
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        href = urljoin(base, (attrs.get("href") or "").strip())
        if urlsplit(href).scheme in ("http", "https") and href not in found:
            found.append(href)
    return found[:MAX_CANDIDATES]


def common_feed_urls(site_url: str) -> list[str]:
    parts = urlsplit(site_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return [origin + path for path in COMMON_PATHS]
