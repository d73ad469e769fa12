"""The reader's saved articles: a list to come back to, and what the service worker keeps for offline."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.store import reading
from tidings.web import render
from tidings.web.auth import CurrentVisitor, SignedIn
from tidings.web.context import Web
from tidings.web.params import page_number

PER_PAGE = 50


def list_saved(
    request: Request, web: Web, visitor: CurrentVisitor, user: SignedIn, page: str = "1"
) -> Response:
    number = page_number(page)
    found = reading.saved_articles(web.store, user.id, PER_PAGE + 1, (number - 1) * PER_PAGE)
    if not found and number > 1:
        raise HTTPException(status_code=404)
    return render.page(
        request,
        web,
        visitor,
        "saved.html",
        {"articles": found[:PER_PAGE], "page": number, "has_next": len(found) > PER_PAGE},
    )
