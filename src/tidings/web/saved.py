"""The reader's saved articles: a list to come back to, and what the service worker keeps for offline."""

from __future__ import annotations

from fastapi import Request, Response

from tidings.store import reading
from tidings.web import render
from tidings.web.auth import CurrentVisitor, SignedIn
from tidings.web.context import Web
from tidings.web.params import paged

PER_PAGE = 50


def list_saved(
    request: Request, web: Web, visitor: CurrentVisitor, user: SignedIn, page: str = "1"
) -> Response:
    shown = paged(page, PER_PAGE, lambda limit, at: reading.saved_articles(web.store, user.id, limit, at))
    return render.page(
        request,
        web,
        visitor,
        "saved.html",
        {"articles": shown.items, "page": shown.number, "has_next": shown.has_next},
    )
