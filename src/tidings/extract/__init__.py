"""The extract stage: a document in, the article copies on it out.

    >>> from tidings.extract import extract
    >>> copies = extract(document, template)

or, for one HTML page held as text (decode bytes with `tidings.fetch.decode` first):

    >>> from tidings.extract import read_html
    >>> result = read_html(html, fetched_at, url=url)   # result.copies, or result.reason for none

Text dumps are read line by line (`textdump`), HTML pages through the DOM (`html`, `dom`, `metadata`).
What a site repeats on every page is learned by the store from `template_lines` and handed back as a
`SiteTemplate`; the pipeline reads a document once for both through `Reading`.
"""

from __future__ import annotations

from tidings.extract.html import HtmlResult, ParsedPage, extract_html, html_template_lines, read_html
from tidings.extract.lines import split_lines
from tidings.extract.template import (
    EMPTY_TEMPLATE,
    LineShape,
    SiteTemplate,
    head_key,
    learn_shapes,
    template_lines,
)
from tidings.extract.textdump import extract_text
from tidings.models import Copy, Document, DocumentKind


class Reading:
    """A document read once for the pipeline: first the lines its site's template learner counts, then
    its copies under the template learned (an HTML page is parsed once for both)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self._parsed = ParsedPage(document.text) if document.kind is DocumentKind.HTML else None

    def lines(self) -> set[str]:
        if self._parsed is not None:
            return html_template_lines(self._parsed)
        return template_lines(split_lines(self.document.text))

    def copies(self, template: SiteTemplate = EMPTY_TEMPLATE) -> list[Copy]:
        d = self.document
        if self._parsed is not None:
            return read_html(self._parsed, d.fetched_at, d.site, d.url, template).copies
        return extract_text(d.text, d.fetched_at, d.site, template)


def extract(document: Document, template: SiteTemplate = EMPTY_TEMPLATE) -> list[Copy]:
    """Every article copy in `document`, in page order."""
    return Reading(document).copies(template)


def page_lines(document: Document) -> set[str]:
    """The lines of a document that the site-template learner counts (an HTML page's short blocks)."""
    return Reading(document).lines()


__all__ = [
    "EMPTY_TEMPLATE",
    "HtmlResult",
    "LineShape",
    "ParsedPage",
    "Reading",
    "SiteTemplate",
    "extract",
    "extract_html",
    "extract_text",
    "head_key",
    "learn_shapes",
    "page_lines",
    "read_html",
]
