"""The front page: stories ranked by recency and breadth of coverage, a page at a time, with the sections
(sources) to browse by, comment counts and, for a signed-in reader, what they have read."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import comments, pages, reading
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web, WebContext
from tidings.web.params import page_number
from tidings.web.sections import sections

PER_PAGE = 30
CACHE_SECONDS = 10.0
CACHED_PAGES = 10


def list_stories(request: Request, web: Web, visitor: CurrentVisitor, page: str = "1") -> Response:
    number = page_number(page)
    found = _ranked(web, number)
    if not found and number > 1:
        raise HTTPException(status_code=404)
    shown = [dict(story) for story in found[:PER_PAGE]]  # copies: the cached ranking is shared
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


def _ranked(web: WebContext, number: int) -> list[dict[str, Any]]:
    """One page of the ranking, kept for `CACHE_SECONDS`: every reader sees the same stories, and ranking
    them is most of a front page's work. Comment counts and read marks are added per request."""
    # One story more than a page holds tells whether there is a next page.
    offset = (number - 1) * PER_PAGE
    if number > CACHED_PAGES:  # the archive's deep pages are rare: not worth memory
        return pages.front_page(web.store, web.clock(), limit=PER_PAGE + 1, offset=offset)
    key = f"front:{number}"
    with web.lock:
        stamp, value = web.cache.get(key, (-CACHE_SECONDS, []))
    if time.monotonic() - stamp < CACHE_SECONDS:
        return list(value)
    fresh = pages.front_page(web.store, web.clock(), limit=PER_PAGE + 1, offset=offset)
    with web.lock:
        web.cache[key] = (time.monotonic(), fresh)
    return fresh
