"""Line-based extraction from plain-text dumps of web pages (one line per block element, as scrapers save
them): find each article on the page, its headline, byline and time, dek and body, and drop the chrome.

The page is cut into segments at article headers. A header is a headline shown twice within a few lines
(title + heading), or a headline-shaped line followed by a time or byline. Each segment then reads as
[meta lines] [dek] body [chrome]: the body is the run of prose, allowing short lines (subheadings, one-line
sentences) inside it but ending at page furniture.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from tidings.extract.language import guess_language
from tidings.extract.lines import (
    Line,
    is_interruption,
    is_org_name,
    is_pointer,
    looks_like_chrome,
    parse_byline,
    source_name,
    split_lines,
    strip_bullets,
)
from tidings.extract.teasers import cut_inline_teasers
from tidings.extract.template import EMPTY_TEMPLATE, SiteTemplate
from tidings.models import Copy
from tidings.text import normalise, repair_quotes

HEADER_WINDOW = 12  # a headline's repeats stand within this many lines
META_WINDOW = 4  # a byline stands within this many lines of its headline
MIN_COPY_WORDS = 25  # less than this is a teaser card, not an article copy
MAX_HEADLINE_WORDS = 30
MAX_LONE_TITLE_WORDS = 14  # a lone line above an untitled body is a headline up to this length, else a dek


@dataclass(frozen=True, slots=True)
class Header:
    start: int  # first line of the header (the headline)
    end: int  # last headline line
    title: str


@dataclass(slots=True)
class _Draft:
    title: str | None
    paragraphs: list[str] = field(default_factory=list)
    dek: str | None = None
    author: str | None = None
    publisher: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    teaser_cut: bool = False
    truncated: bool = False


def extract_text(
    text: str,
    fetched_at: datetime,
    site: str | None = None,
    template: SiteTemplate = EMPTY_TEMPLATE,
) -> list[Copy]:
    """Every article copy on the page, in page order."""
    lines = split_lines(text)
    if not lines:
        return []
    headers = find_headers(lines, fetched_at, site, template)
    segments: list[tuple[int, int, Header | None]] = []
    first = headers[0].start if headers else len(lines)
    if sum(1 for ln in lines[:first] if ln.is_prose) >= 2:
        segments.append((0, first, None))  # an untitled article before the first header
    for i, header in enumerate(headers):
        end = headers[i + 1].start if i + 1 < len(headers) else len(lines)
        segments.append((header.start + 1, end, header))
    page_title = _template_title(lines, template)
    copies = []
    for start, end, found in segments:
        title = found.title if found else page_title
        draft = _read_segment(lines[start:end], title, fetched_at, site, template)
        copy = _finish(draft, single=len(segments) == 1)
        if copy is not None:
            copies.append(copy)
    return copies


def find_headers(
    lines: list[Line], fetched_at: datetime, site: str | None, template: SiteTemplate
) -> list[Header]:
    headers: list[Header] = []
    covered = -1
    for i, line in enumerate(lines):
        if i <= covered or not _headline_shaped(line, fetched_at):
            continue
        repeats = [j for j in range(i + 1, min(i + HEADER_WINDOW, len(lines))) if lines[j].norm == line.norm]
        if repeats:
            headers.append(Header(i, repeats[-1], strip_bullets(line.text)))
        elif (
            not looks_like_chrome(line, site)
            and not template.is_chrome(line.text)
            and _byline_follows(lines, i, fetched_at)
        ):
            headers.append(Header(i, i, strip_bullets(line.text)))
        else:
            continue
        covered = _meta_end(lines, headers[-1].end)
    return headers


def _meta_end(lines: list[Line], end: int) -> int:
    """Last line of a header's meta block (bylines, source, dek): what stands before the first prose."""
    limit = min(end + 1 + META_WINDOW + 2, len(lines))
    first_prose = next((k for k in range(end + 1, limit) if lines[k].is_prose), None)
    return end if first_prose is None else first_prose - 1


def _headline_shaped(line: Line, fetched_at: datetime) -> bool:
    return (
        3 <= line.words <= MAX_HEADLINE_WORDS
        and not line.text.endswith((".", ":", ","))
        and parse_byline(line, fetched_at) is None
    )


def _byline_follows(lines: list[Line], i: int, fetched_at: datetime) -> bool:
    """A byline with a time within a few lines after `i`, before any prose, and prose after it."""
    for j in range(i + 1, min(i + 1 + META_WINDOW, len(lines))):
        if lines[j].is_prose:
            return False
        byline = parse_byline(lines[j], fetched_at)
        if byline is not None and byline.when is not None:
            return any(ln.is_prose for ln in lines[j + 1 : j + 1 + META_WINDOW + 2])
    return False


def _template_title(lines: list[Line], template: SiteTemplate) -> str | None:
    for line in lines:
        slot = template.slot(line.text)
        if slot and 3 <= len(slot.split()) <= MAX_HEADLINE_WORDS:
            return slot
    return None


def _is_chrome(line: Line, site: str | None, template: SiteTemplate, title: str | None) -> bool:
    # Learned template lines are furniture, never prose: a related article shown on several of a site's
    # pages recurs too, and stays an article.
    if looks_like_chrome(line, site) or (not line.is_prose and template.is_chrome(line.text)):
        return True
    # A line that embeds the headline in other words is a template around it ("… of ( HEADLINE )").
    return (
        title is not None
        and not line.is_prose
        and normalise(title) in line.norm
        and line.words > len(title.split())
    )


def _read_segment(
    seg: list[Line], title: str | None, fetched_at: datetime, site: str | None, template: SiteTemplate
) -> _Draft:
    draft = _Draft(title=title)
    title_norm = normalise(title) if title else None
    body_at = next(
        (k for k, ln in enumerate(seg) if ln.is_prose and not _is_chrome(ln, site, template, title)), len(seg)
    )
    texts = [ln for ln in seg[:body_at] if _read_meta(ln, draft, fetched_at, site, title_norm)]
    _headline_and_dek(draft, texts)
    _read_body(seg[body_at:], draft, fetched_at, site, template)
    return draft


def _read_meta(
    line: Line, draft: _Draft, fetched_at: datetime, site: str | None, title_norm: str | None
) -> bool:
    """Take what a line above the body says about the article; True when it is text (a headline or dek)."""
    if line.norm == title_norm:
        return False
    source = source_name(line)
    if source:
        draft.source = draft.source or source
        return False
    byline = parse_byline(line, fetched_at)
    if byline is not None:
        draft.published_at = draft.published_at or (byline.when.when if byline.when else None)
        draft.publisher = draft.publisher or byline.publisher
        draft.author = draft.author or byline.author
        return False
    if looks_like_chrome(line, site) or line.text.endswith(":"):
        return False
    name = strip_bullets(line.text)
    # A short capitalised line under a headline names the publisher; above an untitled body it may be
    # the headline itself, unless it reads as an outlet's name.
    if line.words <= 6 and not line.is_sentence and name[:1].isupper() and (draft.title or is_org_name(name)):
        if draft.publisher is None or (is_org_name(name) and not is_org_name(draft.publisher)):
            draft.publisher = name
        return False
    return line.words >= 3


def _headline_and_dek(draft: _Draft, texts: list[Line]) -> None:
    """The text lines nearest the body: a dek (long) and, when no header gave one, the headline."""
    if not texts:
        return
    last = texts[-1]
    if draft.title is not None:
        long_lines = [ln for ln in texts if ln.words >= 6]
        draft.dek = long_lines[-1].text if long_lines else None
    elif last.words > MAX_LONE_TITLE_WORDS:
        draft.dek = last.text
        if len(texts) >= 2 and texts[-2].words <= MAX_HEADLINE_WORDS:
            draft.title = texts[-2].text
    else:
        draft.title = last.text


def _read_body(
    seg: list[Line], draft: _Draft, fetched_at: datetime, site: str | None, template: SiteTemplate
) -> None:
    pending: list[Line] = []  # short lines between prose, kept only if prose follows soon
    gap: list[Line] = []  # furniture seen since the last prose line
    teaser = False  # a teaser was cut since the last paragraph: it counts if the body goes on
    for line in seg:
        if is_pointer(line):
            draft.source = draft.source or source_name(line)
            draft.truncated = bool(draft.paragraphs)
            break
        source = source_name(line)
        if source:
            draft.source = draft.source or source
            continue
        text, cut = cut_inline_teasers(line.text)
        if cut:
            teaser = True
            if not text:
                continue  # a whole line pointing to another article
            line = replace(line, text=text, norm=normalise(text), words=len(text.split()))
        if _is_chrome(line, site, template, draft.title):
            gap.append(line)
            if not is_interruption(line) or len(gap) > 2:
                break
            continue
        if not line.is_prose:
            byline = parse_byline(line, fetched_at)
            if byline is not None:
                draft.published_at = draft.published_at or (byline.when.when if byline.when else None)
                continue
            pending.append(line)
            if len(pending) + len(gap) > 3:
                break
            continue
        draft.paragraphs.extend(p.text for p in pending)
        draft.paragraphs.append(line.text)
        draft.teaser_cut |= teaser
        pending.clear()
        gap.clear()
        teaser = False
    # A pending short line that ends the body is kept when it reads as a sentence ("He declined to comment.")
    draft.paragraphs.extend(p.text for p in pending if p.is_sentence and p.words >= 3 and not gap)


def _finish(draft: _Draft, *, single: bool) -> Copy | None:
    body = tuple(repair_quotes(p) for p in draft.paragraphs)
    words = sum(len(p.split()) for p in body)
    if not body or (words < MIN_COPY_WORDS and not single):
        return None
    changes = ("teaser inserted",) if draft.teaser_cut else ()
    publisher = draft.source or draft.publisher
    return Copy(
        title=repair_quotes(draft.title) if draft.title else None,
        dek=repair_quotes(draft.dek) if draft.dek else None,
        body=body,
        author=draft.author,
        publisher=publisher,
        published_at=draft.published_at,
        language=guess_language(" ".join(body)),
        changes=changes,
        truncated=draft.truncated,
    )
