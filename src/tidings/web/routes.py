"""Every route the reader app serves, in two tables: pages (GET and HEAD) and forms (POST).

Each row is path, handler, name (for `url_for`), and, for pages, the response class. Another area adds
its pages with one row here (e.g. entity pages from `web/entities.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from tidings.web import (
    accounts,
    articles,
    comments,
    entities,
    health,
    pwa,
    saved,
    search,
    sources,
    stories,
    subscriptions,
)

ROUTES: tuple[tuple[str, Callable[..., Any], str, type[Response]], ...] = (
    ("/", stories.list_stories, "list_stories", HTMLResponse),
    ("/articles/{article_id}", articles.show_article, "show_article", HTMLResponse),
    ("/articles/{article_id}/copies/{copy_id}", articles.show_copy, "show_copy", HTMLResponse),
    ("/comments/{comment_id}/edit", comments.show_edit, "show_comment_edit", HTMLResponse),
    ("/search", search.search_articles, "search_articles", HTMLResponse),
    ("/sources/{name:path}", sources.show_source, "show_source", HTMLResponse),
    ("/publishers/{name:path}", sources.show_publisher, "show_publisher", HTMLResponse),
    ("/saved", saved.list_saved, "list_saved", HTMLResponse),
    ("/subscriptions", subscriptions.list_subscriptions, "list_subscriptions", HTMLResponse),
    ("/subscriptions.opml", subscriptions.export_subscriptions, "export_subscriptions", Response),
    ("/signup", accounts.show_signup, "show_signup", HTMLResponse),
    ("/login", accounts.show_login, "show_login", HTMLResponse),
    ("/manifest.webmanifest", pwa.show_manifest, "show_manifest", Response),
    ("/sw.js", pwa.show_service_worker, "show_service_worker", Response),
    ("/offline", pwa.show_offline, "show_offline", HTMLResponse),
    ("/entities", entities.list_entities, "list_entities", HTMLResponse),
    ("/entities/{entity_id}", entities.show_entity, "show_entity", HTMLResponse),
    ("/stories/{story_id}/key-points", entities.show_story_points, "show_story_points", HTMLResponse),
    ("/healthz", health.check_health, "check_health", PlainTextResponse),
)

FORMS: tuple[tuple[str, Callable[..., Any], str], ...] = (
    ("/signup", accounts.sign_up, "sign_up"),
    ("/login", accounts.log_in, "log_in"),
    ("/logout", accounts.log_out, "log_out"),
    ("/articles/{article_id}/save", articles.save_article, "save_article"),
    ("/articles/{article_id}/unsave", articles.unsave_article, "unsave_article"),
    ("/articles/{article_id}/read", articles.mark_read, "mark_read"),
    ("/articles/{article_id}/unread", articles.mark_unread, "mark_unread"),
    ("/articles/{article_id}/comments", comments.add_comment, "add_comment"),
    ("/comments/{comment_id}/edit", comments.edit_comment, "edit_comment"),
    ("/comments/{comment_id}/delete", comments.delete_comment, "delete_comment"),
    ("/comments/{comment_id}/hide", comments.hide_comment, "hide_comment"),
    ("/comments/{comment_id}/show", comments.show_comment, "show_comment"),
    ("/subscriptions", subscriptions.add_subscription, "add_subscription"),
    ("/subscriptions/import", subscriptions.import_subscriptions, "import_subscriptions"),
    ("/subscriptions/{source_id}/delete", subscriptions.remove_subscription, "remove_subscription"),
)


def router() -> APIRouter:
    routes = APIRouter()
    for path, handler, name, response_class in ROUTES:
        routes.add_api_route(path, handler, methods=["GET", "HEAD"], name=name, response_class=response_class)
    for path, handler, name in FORMS:
        routes.add_api_route(path, handler, methods=["POST"], name=name, response_class=HTMLResponse)
    return routes
