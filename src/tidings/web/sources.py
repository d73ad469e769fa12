"""Source (site) and publisher pages: what one site carried, what one publisher wrote, newest first."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import comments, pages
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web
from tidings.web.params import page_number

PER_PAGE = 30
MAX_NAME = 300


def _listing(
    request: Request,
    web: Web,
    visitor: CurrentVisitor,
    *,
    kind: str,
    name: str,
    found: list[dict[str, Any]],
    number: int,
) -> Response:
    if not found:
        raise HTTPException(status_code=404)
    shown = found[:PER_PAGE]
    counts = comments.comment_counts(web.store, [a["id"] for a in shown])
    return render.page(
        request,
        web,
        visitor,
        "listing.html",
        {
            "kind": kind,
            "name": name,
            "articles": shown,
            "comment_counts": counts,
            "page": number,
            "has_next": len(found) > PER_PAGE,
        },
    )


def show_source(request: Request, name: str, web: Web, visitor: CurrentVisitor, page: str = "1") -> Response:
    number = page_number(page)
    if not name or len(name) > MAX_NAME:
        raise HTTPException(status_code=404)
    found = pages.site_articles(web.store, name, PER_PAGE + 1, (number - 1) * PER_PAGE)
    return _listing(request, web, visitor, kind="source", name=name, found=found, number=number)


def show_publisher(
    request: Request, name: str, web: Web, visitor: CurrentVisitor, page: str = "1"
) -> Response:
    number = page_number(page)
    if not name or len(name) > MAX_NAME:
        raise HTTPException(status_code=404)
    found = pages.publisher_articles(web.store, name, PER_PAGE + 1, (number - 1) * PER_PAGE)
    return _listing(request, web, visitor, kind="publisher", name=name, found=found, number=number)
