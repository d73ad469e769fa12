"""The front page: stories, newest first, a page at a time."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import queries
from tidings.web.context import Web
from tidings.web.params import page_number

PER_PAGE = 30


def list_stories(request: Request, web: Web, page: str = "1") -> Response:
    number = page_number(page)
    # One story more than a page holds tells whether there is a next page.
    found = queries.front_page(web.store, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    if not found and number > 1:
        raise HTTPException(status_code=404)
    return web.templates.TemplateResponse(
        request,
        "stories.html",
        {
            "stories": found[:PER_PAGE],
            "page": number,
            "has_next": len(found) > PER_PAGE,
            "now": web.clock(),
        },
    )
