"""Enrichment in SQL, the read side: the export's enrich fields, entity pages, a story's candidate points.

Everything comes out in the public export shape (README, "Export format"): plain dicts and lists.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tidings.store import schema as t
from tidings.store.db import Store

KINDS = ("PERSON", "PLACE", "ORG")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _points(raw: str) -> list[dict[str, Any]]:
    return [{k: p[k] for k in ("text", "paragraph", "start", "end")} for p in json.loads(raw)]


def attach(connection: Connection, articles: Sequence[dict[str, Any]]) -> None:
    """Add `key_points`, `quotes`, `entities`, `keywords` and `reading_minutes` to export-shaped articles;
    fill `language` from the text when no copy gave one."""
    ids = [a["id"] for a in articles]
    if not ids:
        return
    ae = t.article_enrichments
    rows = {
        r["article_id"]: r for r in connection.execute(select(ae).where(ae.c.article_id.in_(ids))).mappings()
    }
    mentions: dict[int, list[dict[str, Any]]] = {}
    m, e = t.entity_mentions, t.entities
    for row in connection.execute(
        select(m.c.article_id, m.c.count, m.c.mentions, m.c.name.label("local"), e.c.id, e.c.name, e.c.kind)
        .join(e, e.c.id == m.c.entity_id)
        .where(m.c.article_id.in_(ids))
        .order_by(m.c.article_id, m.c.count.desc(), e.c.name)
    ).mappings():
        mentions.setdefault(row["article_id"], []).append(
            {
                "id": row["id"],
                "name": row["name"],
                "kind": row["kind"],
                "mentions": [
                    {"text": text, "paragraph": p, "start": s, "end": end}
                    for text, p, s, end in json.loads(row["mentions"])
                ],
            }
        )
    quotes: dict[int, list[dict[str, Any]]] = {}
    q = t.quotes
    for row in connection.execute(
        select(q).where(q.c.article_id.in_(ids)).order_by(q.c.article_id, q.c.position)
    ).mappings():
        quotes.setdefault(row["article_id"], []).append(_quote(row))
    for article in articles:
        found = rows.get(article["id"])
        article["key_points"] = _points(found["key_points"]) if found else []
        article["quotes"] = quotes.get(article["id"], [])
        article["entities"] = mentions.get(article["id"], [])
        article["keywords"] = json.loads(found["keywords"]) if found else []
        article["reading_minutes"] = found["reading_minutes"] if found else None
        if article.get("language") is None and found is not None:
            article["language"] = found["language"]


def _quote(row: Any) -> dict[str, Any]:
    return {
        "text": row["text"],
        "kind": row["kind"],
        "speaker": row["speaker"],
        "speaker_id": row["entity_id"],
        "speaker_text": row["speaker_text"],
        "cue": row["cue"],
        "nested": bool(row["nested"]),
        "paragraph": row["paragraph"],
        "start": row["start"],
        "end": row["end"],
    }


def entity(store: Store, entity_id: int) -> dict[str, Any] | None:
    """One entity with the articles that mention it and the quotations it is credited with, newest first."""
    e, m, a, q = t.entities, t.entity_mentions, t.articles, t.quotes
    with store.engine.connect() as connection:
        row = connection.execute(select(e).where(e.c.id == entity_id)).mappings().first()
        if row is None:
            return None
        articles = [
            {
                "id": r["id"],
                "title": r["title"],
                "publisher": r["publisher"],
                "published_at": _iso(r["published_at"]),
                "story_id": r["story_id"],
                "mentions": r["count"],
                "name": r["name"],
            }
            for r in connection.execute(
                select(a.c.id, a.c.title, a.c.publisher, a.c.published_at, a.c.story_id, m.c.count, m.c.name)
                .join(m, m.c.article_id == a.c.id)
                .where(m.c.entity_id == entity_id)
                .order_by(a.c.published_at.desc().nulls_last(), a.c.id.desc())
            ).mappings()
        ]
        quotes = [
            {**_quote(r), "article_id": r["article_id"], "article_title": r["title"]}
            for r in connection.execute(
                select(q, a.c.title)
                .join(a, a.c.id == q.c.article_id)
                .where(q.c.entity_id == entity_id)
                .order_by(a.c.published_at.desc().nulls_last(), q.c.article_id.desc(), q.c.position)
            ).mappings()
        ]
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "articles": articles,
        "stories": len({x["story_id"] for x in articles if x["story_id"] is not None}),
        "quotes": quotes,
    }


def entities(
    store: Store, kind: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Entities that some article mentions, the most written-about first."""
    e, m = t.entities, t.entity_mentions
    articles = func.count(m.c.article_id).label("articles")
    query = (
        select(e.c.id, e.c.name, e.c.kind, articles, func.sum(m.c.count).label("mentions"))
        .join(m, m.c.entity_id == e.c.id)
        .group_by(e.c.id, e.c.name, e.c.kind)
        .order_by(articles.desc(), e.c.name, e.c.id)
        .limit(limit)
        .offset(offset)
    )
    if kind is not None:
        query = query.where(e.c.kind == kind)
    with store.engine.connect() as connection:
        return [dict(r) for r in connection.execute(query).mappings()]


def story_candidates(store: Store, story_id: int) -> list[dict[str, Any]]:
    """Each article of a story with its best sentences and keywords: what the story's points are made of."""
    a, ae = t.articles, t.article_enrichments
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(a.c.id, a.c.title, a.c.publisher, ae.c.candidates, ae.c.keywords)
            .join(ae, ae.c.article_id == a.c.id)
            .where(a.c.story_id == story_id)
            .order_by(a.c.published_at.nulls_last(), a.c.id)
        ).mappings()
        return [
            {
                "id": r["id"],
                "title": r["title"],
                "publisher": r["publisher"],
                "candidates": json.loads(r["candidates"]),
                "keywords": json.loads(r["keywords"]),
            }
            for r in rows
        ]
