"""People, places and organisations: the list, one entity's page (its articles and quotations across
stories), and a story's key points drawn from all its articles. Everything here comes from the articles'
own text (the enrich stage), and each page says so.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.exceptions import HTTPException

from tidings.models import KeyPoint, TextSpan
from tidings.store import enrich_queries
from tidings.web import render
from tidings.web.auth import CurrentVisitor
from tidings.web.context import Web
from tidings.web.params import paged, positive_id

PER_PAGE = 100
KIND_NAMES = {"PERSON": "People", "PLACE": "Places", "ORG": "Organisations"}
_KIND_PARAMS = {"people": "PERSON", "places": "PLACE", "organisations": "ORG", "": None}


def list_entities(
    request: Request, web: Web, visitor: CurrentVisitor, kind: str = "", page: str = "1"
) -> Response:
    if kind not in _KIND_PARAMS:
        raise HTTPException(status_code=404)
    kinds = _KIND_PARAMS[kind]
    shown = paged(page, PER_PAGE, lambda limit, at: enrich_queries.entities(web.store, kinds, limit, at))
    return render.page(
        request,
        web,
        visitor,
        "entities.html",
        {
            "entities": shown.items,
            "kind": kind,
            "kinds": [(k, KIND_NAMES[v]) for k, v in _KIND_PARAMS.items() if v],
            "kind_names": KIND_NAMES,
            "page": shown.number,
            "has_next": shown.has_next,
        },
    )


def show_entity(request: Request, entity_id: str, web: Web, visitor: CurrentVisitor) -> Response:
    found = enrich_queries.entity(web.store, positive_id(entity_id))
    if found is None or not found["articles"]:
        raise HTTPException(status_code=404)
    return render.page(request, web, visitor, "entity.html", {"entity": found, "kind_names": KIND_NAMES})


def show_story_points(request: Request, story_id: str, web: Web, visitor: CurrentVisitor) -> Response:
    articles = enrich_queries.story_candidates(web.store, positive_id(story_id))
    if not articles:
        raise HTTPException(status_code=404)
    return render.page(request, web, visitor, "story_points.html", story_points(articles))


def story_points(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """A story's key points (each with the article it comes from) and keywords, from its articles' best
    sentences: what several articles say is central, and no fact is said twice."""
    from tidings import (
        enrich,  # here, not at the top: enrich loads spaCy, which the reader's start need not wait for
    )

    candidates = [
        [
            KeyPoint(p["text"], TextSpan(p["paragraph"], p["start"], p["end"]), float(p.get("score", 0.0)))
            for p in article["candidates"]
        ]
        for article in articles
    ]
    points = [
        {"text": point.text, "paragraph": point.span.paragraph, "article": articles[index]}
        for index, point in enrich.story_key_points(candidates)
    ]
    return {
        "articles": articles,
        "points": points,
        "keywords": enrich.story_keywords([a["keywords"] for a in articles]),
    }
