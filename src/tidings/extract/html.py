"""HTML pages: page metadata from <head> (Open Graph, JSON-LD, meta tags), and the body read through the
same line-based extractor as text dumps after the markup's obvious furniture is dropped.

This is the first seam for HTML; the DOM-based extractor measured against Trafilatura replaces the body
part (issue 3) without changing what the stage returns.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tidings.extract.dates import parse_date
from tidings.extract.template import EMPTY_TEMPLATE, SiteTemplate
from tidings.extract.textdump import extract_text
from tidings.models import Copy
from tidings.text import collapse_ws

_DROP = "script, style, noscript, template, svg, nav, header, footer, aside, form, iframe, button, select"
_BLOCKS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "div",
        "section",
        "article",
        "main",
        "td",
        "th",
        "dt",
        "dd",
        "figcaption",
        "tr",
        "br",
    ]
)


def extract_html(
    html: str,
    fetched_at: datetime,
    site: str | None = None,
    url: str | None = None,
    template: SiteTemplate = EMPTY_TEMPLATE,
) -> list[Copy]:
    tree = LexborHTMLParser(html)
    meta = _metadata(tree)
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    lines = _block_lines(root) if root is not None else []
    copies = extract_text("\n".join(lines), fetched_at, site, template)
    if not copies:
        return []
    main = copies[0]
    main = replace(
        main,
        title=meta.get("title") or main.title,
        dek=meta.get("description")
        if main.dek is None and _is_dek(meta.get("description"), main)
        else main.dek,
        author=meta.get("author") or main.author,
        publisher=meta.get("publisher") or main.publisher,
        published_at=meta.get("published_at") or main.published_at,
        language=meta.get("language") or main.language,
        image=meta.get("image"),
        canonical_url=meta.get("canonical") or url,
    )
    return [main, *copies[1:]]


def _is_dek(description: str | None, copy: Copy) -> bool:
    """A meta description is a dek unless it is just the body's opening (many sites copy it from there)."""
    return description is not None and not any(description[:60] in p for p in copy.body)


def _block_lines(root: LexborNode) -> list[str]:
    """One line per block element, as a scraper's text dump would have it."""
    out: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = collapse_ws("".join(buffer))
        if text:
            out.append(text)
        buffer.clear()

    def walk(node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            if child.tag == "-text":
                buffer.append(child.text_content or "")
            elif child.tag in _BLOCKS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(root)
    flush()
    return out


def _metadata(tree: LexborHTMLParser) -> dict[str, Any]:
    def meta(*names: str) -> str | None:
        for name in names:
            node = tree.css_first(f'meta[property="{name}"], meta[name="{name}"], meta[itemprop="{name}"]')
            if node is not None and node.attributes.get("content"):
                return collapse_ws(node.attributes["content"] or "")
        return None

    found: dict[str, Any] = {}
    ld = _json_ld(tree)
    title_node = tree.css_first("title")
    found["title"] = (
        meta("og:title", "twitter:title") or ld.get("headline") or (title_node.text() if title_node else None)
    )
    found["description"] = meta("og:description", "description", "twitter:description")
    found["author"] = meta("author", "article:author") or _ld_name(ld.get("author"))
    found["publisher"] = _ld_name(ld.get("publisher")) or meta("og:site_name", "application-name")
    raw_date = meta("article:published_time", "datePublished", "pubdate", "date") or ld.get("datePublished")
    found["published_at"] = parse_date(str(raw_date)) if raw_date else None
    found["image"] = meta("og:image", "twitter:image")
    html_node = tree.css_first("html")
    lang = html_node.attributes.get("lang") if html_node is not None else None
    found["language"] = lang.split("-")[0].lower() if lang else None
    link = tree.css_first('link[rel="canonical"]')
    found["canonical"] = link.attributes.get("href") if link is not None else meta("og:url")
    return found


def _json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [*data.get("@graph", []), data]:
            if isinstance(item, dict) and "headline" in item:
                return item
    return {}


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return collapse_ws(value) if isinstance(value, str) and value.strip() else None
