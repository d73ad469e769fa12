"""Source (site) and publisher pages: what one site carried, what one publisher wrote, newest first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import comments, pages
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web
from tidings.web.params import paged

PER_PAGE = 30
MAX_NAME = 300


def _listing(
    request: Request,
    web: Web,
    visitor: CurrentVisitor,
    page: str,
    *,
    kind: str,
    name: str,
    fetch: Callable[[int, int], list[dict[str, Any]]],
) -> Response:
    """Page `page` of what `fetch(limit, offset)` finds for one site or publisher; none at all is a 404."""
    if not name or len(name) > MAX_NAME:
        raise HTTPException(status_code=404)
    shown = paged(page, PER_PAGE, fetch)
    if not shown.items:
        raise HTTPException(status_code=404)
    counts = comments.comment_counts(web.store, [a["id"] for a in shown.items])
    return render.page(
        request,
        web,
        visitor,
        "listing.html",
        {
            "kind": kind,
            "name": name,
            "articles": shown.items,
            "comment_counts": counts,
            "page": shown.number,
            "has_next": shown.has_next,
        },
    )


def show_source(request: Request, name: str, web: Web, visitor: CurrentVisitor, page: str = "1") -> Response:
    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return pages.site_articles(web.store, name, limit, offset)

    return _listing(request, web, visitor, page, kind="source", name=name, fetch=fetch)


def show_publisher(
    request: Request, name: str, web: Web, visitor: CurrentVisitor, page: str = "1"
) -> Response:
    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return pages.publisher_articles(web.store, name, limit, offset)

    return _listing(request, web, visitor, page, kind="publisher", name=name, fetch=fetch)
