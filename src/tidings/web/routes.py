"""Every route the reader app serves, in one list: path, method, handler, name."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse

from tidings.web import articles, health, stories


def router() -> APIRouter:
    routes = APIRouter()
    routes.add_api_route(
        "/", stories.list_stories, methods=["GET", "HEAD"], name="list_stories", response_class=HTMLResponse
    )
    routes.add_api_route(
        "/articles/{article_id}",
        articles.show_article,
        methods=["GET", "HEAD"],
        name="show_article",
        response_class=HTMLResponse,
    )
    routes.add_api_route(
        "/healthz",
        health.check_health,
        methods=["GET", "HEAD"],
        name="check_health",
        response_class=PlainTextResponse,
    )
    return routes
