"""Read queries for stories: the list (newest first) and one story, each with its articles, publishers,
key terms and related stories, as plain dicts for the CLI and the web alike."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tidings.store import schema as t
from tidings.store.db import Store

KEY_TERMS = 8


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def list_stories(store: Store, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
    """Stories with articles, most recently seen first (undated ones after, newest id first)."""
    s = t.stories
    with store.engine.connect() as c:
        rows = list(
            c.execute(
                select(s)
                .where(s.c.article_count > 0, s.c.merged_into.is_(None))
                .order_by(s.c.last_seen.is_(None), s.c.last_seen.desc(), s.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).mappings()
        )
        return _details(c, rows)


def story(store: Store, story_id: int) -> dict[str, Any] | None:
    """One story; a story merged into another answers with the one it became."""
    s = t.stories
    with store.engine.connect() as c:
        for _ in range(10):  # merges chain at most a few steps
            row = c.execute(select(s).where(s.c.id == story_id)).mappings().first()
            if row is None:
                return None
            if row["merged_into"] is None:
                return _details(c, [row])[0]
            story_id = int(row["merged_into"])
    return None


def _details(c: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = [int(r["id"]) for r in rows]
    articles = _articles(c, ids)
    terms = _key_terms(c, ids)
    related = _related(c, ids)
    out = []
    for r in rows:
        items = articles.get(r["id"], [])
        publishers: dict[str, int] = {}
        for item in items:
            if item["publisher"]:
                publishers[item["publisher"]] = publishers.get(item["publisher"], 0) + 1
        out.append(
            {
                "id": r["id"],
                "title": r["title"],
                "lead_publisher": r["lead_publisher"],
                "article_count": r["article_count"],
                "publisher_count": r["publisher_count"],
                "first_seen": _iso(r["first_seen"]),
                "last_seen": _iso(r["last_seen"]),
                "key_terms": terms.get(r["id"], []),
                "publishers": [
                    {"publisher": name, "articles": n}
                    for name, n in sorted(publishers.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "articles": items,
                "related": related.get(r["id"], []),
            }
        )
    return out


def _articles(c: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    a = t.articles
    rows = c.execute(
        select(a.c.id, a.c.story_id, a.c.title, a.c.publisher, a.c.published_at)
        .where(a.c.story_id.in_(ids))
        .order_by(a.c.published_at.is_(None), a.c.published_at, a.c.id)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for article_id, story_id, title, publisher, published in rows:
        out.setdefault(int(story_id), []).append(
            {"id": article_id, "title": title, "publisher": publisher, "published_at": _iso(published)}
        )
    return out


def _key_terms(c: Connection, ids: list[int]) -> dict[int, list[str]]:
    """Each story's strongest terms (ties: alphabetical), from its stored centroid."""
    s = t.stories
    out: dict[int, list[str]] = {}
    for story_id, centroid in c.execute(select(s.c.id, s.c.centroid).where(s.c.id.in_(ids))):
        if centroid:
            sums = json.loads(centroid)
            out[int(story_id)] = sorted(sums, key=lambda term: (-sums[term], term))[:KEY_TERMS]
    return out


def _related(c: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    r, s = t.story_related, t.stories
    rows = c.execute(
        select(r.c.story_id, r.c.related_id, r.c.score, s.c.title)
        .join(s, s.c.id == r.c.related_id)
        .where(r.c.story_id.in_(ids), s.c.merged_into.is_(None), s.c.article_count > 0)
        .order_by(r.c.story_id, r.c.score.desc(), r.c.related_id)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for story_id, related_id, score, title in rows:
        out.setdefault(int(story_id), []).append({"id": related_id, "title": title, "score": round(score, 3)})
    return out
