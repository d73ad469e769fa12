"""Bounded parsing: what a hostile or broken page is cut down to before the HTML5 parser sees it.

An HTML5 tree builder checks the stack of open elements for many tags, so its cost grows with the square
of the nesting depth: 100,000 nested <div>s take lexbor minutes. Before parsing we therefore estimate the
depth (C-speed, with numpy, and only on pages with enough tags to be deep at all) and flatten the
container tags of a page that is too deep; huge pages lose their scripts and styles first, then their
tail. Each step is linear in the page size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_DEPTH = 2500  # deeper than any real page; parsing this deep costs well under a second
# Tags times the deepest nesting: a bound on the tree builder's stack searches (each tag may search the
# whole stack, and a stray end tag pops nothing). 200,000 tags 500 deep; real pages stay far below.
MAX_COST = 100_000_000
MAX_CHARS = 3_000_000  # of markup parsed; an article is never this far into a page
_BIG = 1_500_000  # pages larger than this lose scripts, styles and comments before parsing
_RAW_TEXT = tuple(
    (re.compile(opener, re.I), re.compile(closer, re.I))
    for opener, closer in (
        (r"<script\b(?![^>]*ld\+json)", r"</script\s*>"),
        (r"<style\b", r"</style\s*>"),
        ("<!--", "-->"),
    )
)
_MAX_CUTS = 20_000  # raw-text blocks cut from a huge page; a flood of them is left to the size cap
# Every tag whose start or end makes an HTML5 tree builder search its stack of open elements, and the
# usual containers: what a page too deep for parsing loses.
_CONTAINERS = re.compile(
    r"</?(?:div|span|section|article|main|aside|header|footer|nav|font|center|form|fieldset|details|"
    r"summary|dialog|dir|dl|dd|dt|ul|ol|li|menu|hgroup|address|figure|figcaption|blockquote|pre|listing|"
    r"xmp|table|tbody|thead|tfoot|tr|td|th|caption|colgroup|p|h[1-6]|a|b|i|em|strong|u|s|small|big|tt|"
    r"code|nobr|strike|[a-z]+-[a-z-]+)\b[^>]*>",
    re.I,
)
# Browsers that run scripts show a <noscript> element's content as text; we show it as markup, since some
# sites put the article itself there for readers without scripts.
_NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.I)
_LT, _SLASH = ord("<"), ord("/")


@dataclass(frozen=True, slots=True)
class Prepared:
    html: str
    note: str | None = None  # what was done to the page, or why nothing can be read from it
    readable: bool = True


def prepare(html: str) -> Prepared:
    """The markup to parse, bounded in size and nesting depth."""
    notes = []
    if len(html) > _BIG:
        html = strip_raw_text(html)
    if len(html) > MAX_CHARS:
        cut = html.rfind("<", 0, MAX_CHARS)
        html = html[: cut if cut > 0 else MAX_CHARS]
        notes.append(f"page cut to its first {MAX_CHARS:,} characters of markup")
    html = _NOSCRIPT.sub(" ", html)
    if _too_deep(html):
        html = _CONTAINERS.sub(" ", html)
        notes.append("page nested too deeply: container tags ignored")
        if _too_deep(html):
            return Prepared("", f"page nested more than {MAX_DEPTH:,} levels deep", readable=False)
    return Prepared(html, "; ".join(notes) or None)


def _too_deep(html: str) -> bool:
    depths = _depths(html)
    if not depths.size:
        return False
    deepest = int(depths.max())
    return deepest > MAX_DEPTH or deepest * depths.size > MAX_COST


def strip_raw_text(html: str) -> str:
    """The page without its scripts (but its JSON-LD), styles and comments (an unclosed one runs to the
    end, as in a browser). Linear: each block costs two searches that start where the last one ended."""
    for opener, closer in _RAW_TEXT:
        pieces, at = [], 0
        for _ in range(_MAX_CUTS):
            start = opener.search(html, at)
            if start is None:
                break
            pieces.append(html[at : start.start()])
            end = closer.search(html, start.end())
            if end is None:
                at = len(html)
                break
            at = end.end()
        pieces.append(html[at:])
        html = " ".join(pieces)
    return html


def nesting_depth(html: str) -> int:
    """An upper estimate of how deep the page nests (see `_depths`)."""
    depths = _depths(html)
    return int(depths.max()) if depths.size else 0


def _depths(html: str) -> np.ndarray:
    """The running count of start tags minus end tags at each tag (void elements such as <br>, <img> and
    <meta> left out as far as two letters tell); empty when the page has too few tags to matter."""
    if html.count("<") <= MAX_DEPTH:
        return np.zeros(0, np.int64)
    data = np.frombuffer(html.encode("utf-8", "replace"), np.uint8)
    at = np.flatnonzero(data[:-3] == _LT)
    first, second, third = data[at + 1] | 32, data[at + 2] | 32, data[at + 3] | 32
    start = (first >= ord("a")) & (first <= ord("z"))
    void = (
        ((first == ord("b")) & (second == ord("r")))
        | ((first == ord("i")) & ((second == ord("m")) | (second == ord("n"))))
        | ((first == ord("m")) & (second == ord("e")))
        | ((first == ord("l")) & (second == ord("i")) & (third == ord("n")))
        | ((first == ord("h")) & (second == ord("r")))
        | ((first == ord("w")) & (second == ord("b")))
        | ((first == ord("s")) & (second == ord("o")))
    )
    steps = (start & ~void).astype(np.int64) - (data[at + 1] == _SLASH).astype(np.int64)
    return np.cumsum(steps)
