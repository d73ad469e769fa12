"""Every route the reader app serves, in one table: path, handler, name, response class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from tidings.web import articles, health, stories

ROUTES: tuple[tuple[str, Callable[..., Any], str, type[Response]], ...] = (
    ("/", stories.list_stories, "list_stories", HTMLResponse),
    ("/articles/{article_id}", articles.show_article, "show_article", HTMLResponse),
    ("/healthz", health.check_health, "check_health", PlainTextResponse),
)


def router() -> APIRouter:
    routes = APIRouter()
    for path, handler, name, response_class in ROUTES:
        routes.add_api_route(path, handler, methods=["GET", "HEAD"], name=name, response_class=response_class)
    return routes
