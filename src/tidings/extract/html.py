"""HTML pages: one bounded parse (selectolax/lexbor), the page's metadata, and the article body from the
DOM extractor, read as a `Copy`.

    >>> read_html(html, fetched_at, url=url).copies

A page with no article gives no copies and a reason (`HtmlResult.reason`).
"""

from __future__ import annotations

import itertools
import re
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from selectolax.lexbor import LexborHTMLParser

from tidings.extract.dates import find_written_date
from tidings.extract.dom import Block, Page, score, select, walk
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
    if meta.published_at is None:
        meta = replace(meta, published_at=_written_date(page, blocks) or _htmldate(prepared.html, url))
    if sum(len(b.text) for b in blocks) < SHORT_BODY_CHARS:
        # Galleries and video pages: the captions are the article.
        blocks = _without_title(select(page, meta.title, strict=False), meta.title)
    if sum(len(b.text) for b in blocks) < MIN_BODY_CHARS:
        return HtmlResult([], "no article text found")
    return HtmlResult([_copy(blocks, meta)], prepared.note)


_DATE_HINT = re.compile(r"date|time|publish|posted|datum|fecha|meta|byline|info|stamp|created")


def _written_date(page: Page, article: list[Block]) -> datetime | None:
    """A publication date written on the page: in an element marked as a date or byline, else at the
    article's edges (the line under the headline, "Posted on …" at the end)."""
    elements = page.elements
    marked = (
        b
        for b in page.blocks
        if _DATE_HINT.search(elements[b.owner].hint)
        or _DATE_HINT.search(elements[elements[b.owner].parent].hint)
    )
    for block in itertools.chain(itertools.islice(marked, 30), article[:8], article[-5:]):
        if len(block.text) > 300:
            continue
        found = find_written_date(block.text)
        if found is not None:
            return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def _htmldate(html: str, url: str | None) -> datetime | None:
    """htmldate's search (patterns in scripts, comments and free text) for the pages that give no date
    where we look."""
    from htmldate import find_date

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = find_date(html, url=url, original_date=True, extensive_search=True)
    except Exception:  # htmldate on a page it cannot parse: no date, not a failed extraction
        return None
    if not found:
        return None
    try:
        day = date.fromisoformat(found)
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


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
