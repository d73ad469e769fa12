"""One article: its clean text, who published it, and every site that carried it."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.enrich import reading_minutes
from tidings.store import queries
from tidings.web.context import Web
from tidings.web.params import positive_id


def show_article(request: Request, article_id: str, web: Web) -> Response:
    found = queries.article(web.store, positive_id(article_id))
    if found is None:
        raise HTTPException(status_code=404)
    return web.templates.TemplateResponse(
        request,
        "article.html",
        {
            "article": found,
            "minutes": reading_minutes(found["body"]),
            "now": web.clock(),
        },
    )
