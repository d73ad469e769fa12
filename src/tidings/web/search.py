"""Search: full text over titles and bodies, filtered by publisher, site and date, with the matched
words highlighted in each result's headline and snippet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import Request, Response
from markupsafe import Markup, escape

from tidings.store import pages
from tidings.store.search import MARK_END, MARK_START, Filters, parse_query, search
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web
from tidings.web.params import paged
from tidings.web.sections import sections

PER_PAGE = 20
MAX_FIELD = 200


def marked(value: str | None) -> Markup:
    """Escaped text with the store's match marks turned into <mark> elements, always balanced."""
    out: list[str] = []
    open_mark = False
    for piece in _split_marks(value or ""):
        if piece == MARK_START and not open_mark:
            out.append("<mark>")
            open_mark = True
        elif piece == MARK_END and open_mark:
            out.append("</mark>")
            open_mark = False
        elif piece not in (MARK_START, MARK_END):
            out.append(str(escape(piece)))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))  # every piece of text went through escape()


def _split_marks(value: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for ch in value:
        if ch in (MARK_START, MARK_END):
            pieces.append("".join(current))
            pieces.append(ch)
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p for p in pieces if p]


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def search_articles(
    request: Request,
    web: Web,
    visitor: CurrentVisitor,
    q: str = "",
    publisher: str = "",
    site: str = "",
    since: str = "",
    until: str = "",
    page: str = "1",
) -> Response:
    q, publisher, site = q[:MAX_FIELD].strip(), publisher[:MAX_FIELD].strip(), site[:MAX_FIELD].strip()
    problems = []
    first, last = _day(since.strip()), _day(until.strip())
    if since.strip() and first is None:
        problems.append("The “from” date is not a date (YYYY-MM-DD); it was left out.")
    if until.strip() and last is None:
        problems.append("The “to” date is not a date (YYYY-MM-DD); it was left out.")
    filters = Filters(
        publisher=publisher or None,
        site=site or None,
        since=_start_of(first) if first else None,
        before=_start_of(last) + timedelta(days=1) if last else None,
    )
    query = parse_query(q)
    found = paged(page, PER_PAGE, lambda limit, offset: search(web.store, query, filters, limit, offset))
    shown = found.items
    sites = pages.articles_by_id(web.store, [r["id"] for r in shown]) if shown else {}
    for row in shown:
        row["title_html"] = marked(row["title"])
        row["snippet_html"] = marked(row["snippet"])
        row["sites"] = sites.get(row["id"], {}).get("sites", [])
    return render.page(
        request,
        web,
        visitor,
        "search.html",
        {
            "q": q,
            "searched": bool(query.phrases),
            "publisher": publisher,
            "site": site,
            "since": since.strip()[:10] if first else "",
            "until": until.strip()[:10] if last else "",
            "problems": problems,
            "results": shown,
            "page": found.number,
            "has_next": found.has_next,
            "sections": sections(web),
        },
    )
