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
from tidings.extract.dom import Block, Page, score, select, split_articles, walk
from tidings.extract.guard import prepare
from tidings.extract.language import guess_language
from tidings.extract.lines import Line, is_org_name, source_name, split_lines
from tidings.extract.metadata import PageMeta, read_metadata
from tidings.extract.template import EMPTY_TEMPLATE, SiteTemplate, template_lines
from tidings.models import Copy
from tidings.text import collapse_ws, normalise

MIN_BODY_CHARS = 15  # a body shorter than this is not an article
HTMLDATE_MAX_CHARS = 1_000_000  # htmldate's free-text search is slow on larger pages
SHORT_BODY_CHARS = 250  # a body shorter than this is read again with its captions


@dataclass(frozen=True, slots=True)
class HtmlResult:
    copies: list[Copy]
    reason: str | None = None  # why there is no article (or what was done to read the page)


class ParsedPage:
    """An HTML page prepared and parsed once (and walked when first asked), so that the pipeline's site
    template learner and the extractor read one parse. Extraction never changes the tree or the walk's
    block texts (scoring only adds to the elements' counts)."""

    __slots__ = ("_page", "prepared", "scored", "tree")

    def __init__(self, html: str) -> None:
        self.prepared = prepare(html)
        self.tree = LexborHTMLParser(self.prepared.html) if self.prepared.readable else None
        self._page: Page | None = None
        self.scored = False  # the walk's elements counted (once: counting adds)

    @property
    def page(self) -> Page | None:
        """The walk of the body (None without one)."""
        if self._page is None and self.tree is not None and self.tree.body is not None:
            self._page = walk(self.tree.body)
        return self._page


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
    html: str | ParsedPage,
    fetched_at: datetime,
    site: str | None = None,  # noqa: ARG001 (the text-dump signature; chrome is found without it)
    url: str | None = None,
    template: SiteTemplate = EMPTY_TEMPLATE,
) -> HtmlResult:
    """The article copies on an HTML page (usually one; a page of several full articles gives each), or
    the reason there are none."""
    parsed = html if isinstance(html, ParsedPage) else ParsedPage(html)
    prepared = parsed.prepared
    if parsed.tree is None:
        return HtmlResult([], prepared.note)
    meta = read_metadata(parsed.tree, url, fetched_at)
    page = parsed.page
    if page is None:
        return HtmlResult([], "no <body>")
    if not parsed.scored:
        score(page)
        parsed.scored = True
    blocks = _without_title(select(page, meta.title), meta.title)
    if sum(len(b.text) for b in blocks) < SHORT_BODY_CHARS:
        # Galleries and video pages: the captions are the article.
        blocks = _without_title(select(page, meta.title, strict=False), meta.title)
    blocks = [b for b in blocks if not _learned_chrome(b, template)]
    found = sum(len(b.text) for b in blocks)
    if meta.body and found < SHORT_BODY_CHARS and len(meta.body) > 2 * max(found, SHORT_BODY_CHARS):
        # A page drawn by scripts: the article is in its JSON-LD only.
        blocks = [Block(p, "p", 0, 0) for p in _paragraphs(meta.body)]
    meta = replace(meta, published_at=_publication_time(meta.published_at, page, blocks, prepared.html, url))
    if sum(len(b.text) for b in blocks) < MIN_BODY_CHARS:
        return HtmlResult([], "no article text found")
    parts = split_articles(page, blocks)
    if len(parts) > 1:
        return HtmlResult([_copy(part, _part_meta(part, meta)) for part in parts], prepared.note)
    return HtmlResult([_copy(blocks, meta)], prepared.note)


def html_template_lines(html: str | ParsedPage) -> set[str]:
    """The short blocks of a page that the site-template learner counts (as `template_lines` does for
    a text dump's lines)."""
    page = (html if isinstance(html, ParsedPage) else ParsedPage(html)).page
    if page is None:
        return set()
    return template_lines(split_lines("\n".join(b.text for b in page.blocks)))


def _paragraphs(text: str) -> list[str]:
    parts = [collapse_ws(p) for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", text)]
    return [p for p in parts if p]


def _learned_chrome(block: Block, template: SiteTemplate) -> bool:
    """A block the site repeats on its other pages, and not prose: its furniture."""
    if not template.lines and not template.shapes:
        return False
    text = collapse_ws(block.text)
    line = Line(0, text, normalise(text), len(text.split()))
    return not line.is_prose and template.is_chrome(text)


def _part_meta(blocks: list[Block], meta: PageMeta) -> PageMeta:
    """One of several articles on a page: its own headline (its first heading) and written date."""
    heading = blocks[0].text if blocks and blocks[0].kind[0] == "h" else None
    when = next((d for b in blocks[:4] if len(b.text) < 200 and (d := find_written_date(b.text))), None)
    return replace(
        meta,
        title=heading or meta.title,
        published_at=datetime(when.year, when.month, when.day, tzinfo=UTC) if when else meta.published_at,
        description=None,
    )


def _publication_time(
    declared: datetime | None, page: Page, article: list[Block], html: str, url: str | None
) -> datetime | None:
    """The declared publication time (meta tags, JSON-LD, the URL), weighed against the date written on
    the page: when they name different days, htmldate's search is the third opinion (sites often
    declare the time of their last edit as the publication's), and without either it is the answer."""
    written = _written_date(page, article)
    if declared is None and written is None:
        return _htmldate(html, url)
    if declared is None or written is None or declared.date() == written.date():
        return declared or written
    third = _htmldate(html, url)
    return written if third is not None and third.date() == written.date() else declared


_DATE_HINT = re.compile(r"date|time|publish|posted|datum|fecha|meta|byline|info|stamp|created")


def _written_date(page: Page, article: list[Block]) -> datetime | None:
    """A publication date written on the page: in an element marked as a date or byline, else near the
    article's start (the line under the headline, a dateline opening the lead), else at its end."""
    elements = page.elements
    dated = [bool(e.hint) and _DATE_HINT.search(e.hint) is not None for e in elements]
    marked = (b for b in page.blocks if dated[b.owner] or (b.owner > 0 and dated[elements[b.owner].parent]))
    start = next((i for i, b in enumerate(page.blocks) if article and b is article[0]), 0)
    around = page.blocks[max(0, start - 6) : start + 10]
    for block in itertools.chain(itertools.islice(marked, 30), around, article[-5:]):
        text = block.text if len(block.text) <= 160 else f"{block.text[:80]} {block.text[-80:]}"
        found = find_written_date(text)
        if found is not None:
            return datetime(found.year, found.month, found.day, tzinfo=UTC)
    return None


def _htmldate(html: str, url: str | None) -> datetime | None:
    """htmldate's search (meta tags, JSON-LD, patterns in scripts, comments and free text). Its fast
    search: the extensive one starts dateparser, seconds of start-up, for a few more dates."""
    from htmldate import find_date

    if len(html) > HTMLDATE_MAX_CHARS:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = find_date(html, url=url, original_date=True, extensive_search=False)
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
        if (block.kind == "h1" and i < 3) or (
            key is not None and len(block.text) < 2 * len(key) + 10 and normalise(block.text) == key
        ):
            continue
        out.append(block)
    return out


def _copy(blocks: list[Block], meta: PageMeta) -> Copy:
    blocks, source = _source_line(blocks)
    if blocks and blocks[0].kind[0] == "h" and meta.title and blocks[0].text == meta.title:
        blocks = blocks[1:]
    body = tuple(b.text for b in blocks)
    description = meta.description
    dek = description if description and _is_dek(description, body) else None
    return Copy(
        title=meta.title,
        body=body,
        dek=dek,
        author=meta.author,
        publisher=source or _agency(meta) or meta.site_name,
        published_at=meta.published_at,
        language=meta.language or guess_language(" ".join(body[:20])),
        image=meta.image,
        canonical_url=meta.canonical_url,
        kinds=tuple(b.kind for b in blocks),
    )


def _agency(meta: PageMeta) -> str | None:
    """A copy credited to an outlet rather than a person ("By Reuters" on a portal's page) was published
    by that outlet first."""
    author, site = meta.author, meta.site_name
    if not author or ";" in author or not is_org_name(author):
        return None
    return author if site is None or normalise(author) not in normalise(site) else None


def _source_line(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """A republished copy names its original publisher at its top or bottom ("Source: Reuters",
    "This article first appeared on …"): the name is the copy's publisher, the line is not body."""
    edges = [*range(min(3, len(blocks))), *range(max(3, len(blocks) - 4), len(blocks))]
    for i in edges:
        text = collapse_ws(blocks[i].text)
        if len(text) > 120:
            continue
        name = source_name(Line(i, text, normalise(text), len(text.split())))
        if name and not name.lower().startswith(("http", "www.")) and name[:1].isupper():
            return blocks[:i] + blocks[i + 1 :], name
    return blocks, None


def _is_dek(description: str, body: tuple[str, ...]) -> bool:
    """A meta description is a dek unless it is just the body's opening (sites often copy it from
    there) or a cut-off teaser of it."""
    head = normalise(description.rstrip(".… "))[:60]
    return len(description) >= 20 and not any(head in normalise(p) for p in body[:5])
