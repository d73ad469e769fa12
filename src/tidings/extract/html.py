"""HTML pages: one bounded parse (selectolax/lexbor), the page's metadata, and the article body from the
DOM extractor, read as a `Copy`.

    >>> read_html(html, fetched_at, url=url).copies

A page with no article gives no copies and a reason (`HtmlResult.reason`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from tidings.extract.dom import Block, score, select, walk
from tidings.extract.guard import prepare
from tidings.extract.language import guess_language
from tidings.extract.metadata import PageMeta, read_metadata
from tidings.extract.template import EMPTY_TEMPLATE, SiteTemplate
from tidings.models import Copy
from tidings.text import normalise

MIN_BODY_CHARS = 1  # an article has at least this much body text
SHORT_BODY_CHARS = 250  # a body shorter than this is read again with its captions


@dataclass(frozen=True, slots=True)
class HtmlResult:
    copies: list[Copy]
    reason: str | None = None  # why there is no article (or what was done to read the page)


def extract_html(
    html: str,
    fetched_at: datetime,
    site: str | None = None,
    url: str | None = None,
    template: SiteTemplate = EMPTY_TEMPLATE,
) -> list[Copy]:
    """Every article copy on an HTML page, in page order."""
    return read_html(html, fetched_at, site, url, template).copies


def read_html(
    html: str,
    fetched_at: datetime,
    site: str | None = None,  # noqa: ARG001 (kept for the text-dump signature; chrome is found without it)
    url: str | None = None,
    template: SiteTemplate = EMPTY_TEMPLATE,  # noqa: ARG001
) -> HtmlResult:
    prepared = prepare(html)
    if not prepared.readable:
        return HtmlResult([], prepared.note)
    tree = LexborHTMLParser(prepared.html)
    meta = read_metadata(tree, url, fetched_at)
    root = tree.body
    if root is None:
        return HtmlResult([], "no <body>")
    page = walk(root)
    score(page)
    blocks = _without_title(select(page, meta.title), meta.title)
    if sum(len(b.text) for b in blocks) < SHORT_BODY_CHARS:
        # Galleries and video pages: the captions are the article.
        blocks = _without_title(select(page, meta.title, strict=False), meta.title)
    if sum(len(b.text) for b in blocks) < MIN_BODY_CHARS:
        return HtmlResult([], "no article text found")
    return HtmlResult([_copy(blocks, meta)], prepared.note)


def _without_title(blocks: list[Block], title: str | None) -> list[Block]:
    """The headline is the copy's title, not its first paragraph."""
    if not blocks:
        return blocks
    key = normalise(title) if title else None
    out = []
    for i, block in enumerate(blocks):
        if (key is not None and normalise(block.text) == key) or (block.kind == "h1" and i < 3):
            continue
        out.append(block)
    return out


def _copy(blocks: list[Block], meta: PageMeta) -> Copy:
    body = tuple(b.text for b in blocks)
    description = meta.description
    dek = description if description and _is_dek(description, body) else None
    return Copy(
        title=meta.title,
        body=body,
        dek=dek,
        author=meta.author,
        publisher=meta.site_name,
        published_at=meta.published_at,
        language=meta.language or guess_language(" ".join(body[:20])),
        image=meta.image,
        canonical_url=meta.canonical_url,
    )


def _is_dek(description: str, body: tuple[str, ...]) -> bool:
    """A meta description is a dek unless it is just the body's opening (sites often copy it from
    there) or a cut-off teaser of it."""
    head = normalise(description.rstrip(".… "))[:60]
    return len(description) >= 20 and not any(head in normalise(p) for p in body[:5])
