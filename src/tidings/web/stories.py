"""The front page: stories ranked by recency and breadth of coverage, a page at a time, with the sections
(sources) to browse by, comment counts and, for a signed-in reader, what they have read."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import comments, pages, reading
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web
from tidings.web.params import page_number
from tidings.web.sections import sections

PER_PAGE = 30


def list_stories(request: Request, web: Web, visitor: CurrentVisitor, page: str = "1") -> Response:
    number = page_number(page)
    # One story more than a page holds tells whether there is a next page.
    found = pages.front_page(web.store, web.clock(), limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    if not found and number > 1:
        raise HTTPException(status_code=404)
    shown = found[:PER_PAGE]
    ids = [item["id"] for story in shown for item in story["articles"]]
    counts = comments.comment_counts(web.store, ids)
    read: set[int] = set()
    if visitor.user is not None:
        read, _saved = reading.states(web.store, visitor.user.id, ids)
    for story in shown:
        story["comment_count"] = sum(counts.get(item["id"], 0) for item in story["articles"])
    return render.page(
        request,
        web,
        visitor,
        "stories.html",
        {
            "stories": shown,
            "comment_counts": counts,
            "read": read,
            "page": number,
            "has_next": len(found) > PER_PAGE,
            "sections": sections(web),
        },
    )
