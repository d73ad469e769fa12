"""Read queries shared by the CLI export, the web pages and (later) their JSON twins.

Each returns plain dicts in the public export shape (see README, "Export format").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tidings.store import enrich_queries
from tidings.store import schema as t
from tidings.store.db import Store


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _copies(connection: Connection, article_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    c, d = t.copies, t.documents
    rows = connection.execute(
        select(
            c.c.article_id,
            c.c.id,
            c.c.title,
            c.c.publisher,
            c.c.changes,
            c.c.truncated,
            c.c.ref,
            d.c.site,
            d.c.url,
            d.c.path,
            d.c.fetched_at,
        )
        .join(d, d.c.id == c.c.document_id)
        .where(c.c.article_id.in_(article_ids))
        .order_by(d.c.fetched_at, c.c.id)
    ).mappings()
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["article_id"], []).append(
            {
                "id": row["id"],
                "site": row["site"],
                "url": row["url"],
                "path": row["path"],
                "fetched_at": _iso(row["fetched_at"]),
                "title": row["title"],
                "publisher": row["publisher"],
                "changes": json.loads(row["changes"]),
                "ref": row["ref"],
            }
        )
    return out


def _article_dicts(connection: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    copies = _copies(connection, [r["id"] for r in rows])
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "dek": r["dek"],
            "publisher": r["publisher"],
            "author": r["author"],
            "published_at": _iso(r["published_at"]),
            "language": r["language"],
            "image": r["image"],
            "body": json.loads(r["body"]),
            "copies": copies.get(r["id"], []),
            "story_id": r["story_id"],
        }
        for r in rows
    ]


def export_articles(store: Store, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every article that has at least one copy, oldest id first, streamed in batches."""
    a = t.articles
    last = 0
    with store.engine.connect() as connection:
        while True:
            rows = list(
                connection.execute(
                    select(a)
                    .where(a.c.id > last, a.c.id.in_(select(t.copies.c.article_id)))
                    .order_by(a.c.id)
                    .limit(batch)
                ).mappings()
            )
            if not rows:
                return
            found = _article_dicts(connection, rows)
            enrich_queries.attach(connection, found)  # key_points, quotes, entities, keywords
            yield from found
            last = rows[-1]["id"]


def article(store: Store, article_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as connection:
        rows = list(connection.execute(select(t.articles).where(t.articles.c.id == article_id)).mappings())
        if not rows:
            return None
        found = _article_dicts(connection, rows)[0]
        enrich_queries.attach(connection, [found])
        found["story_articles"] = (
            [
                {
                    "id": r["id"],
                    "title": r["title"],
                    "publisher": r["publisher"],
                    "published_at": _iso(r["published_at"]),
                }
                for r in connection.execute(
                    select(
                        t.articles.c.id, t.articles.c.title, t.articles.c.publisher, t.articles.c.published_at
                    )
                    .where(t.articles.c.story_id == found["story_id"], t.articles.c.id != article_id)
                    .order_by(t.articles.c.published_at.desc())
                ).mappings()
            ]
            if found["story_id"] is not None
            else []
        )
        return found


def front_page(store: Store, limit: int = 30, offset: int = 0) -> list[dict[str, Any]]:
    """Stories, newest first, each with its articles (headline, publisher, time, sites)."""
    s, a = t.stories, t.articles
    with store.engine.connect() as connection:
        stories = list(
            connection.execute(
                select(s)
                .where(s.c.article_count > 0)
                .order_by(s.c.last_seen.desc().nulls_last(), s.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).mappings()
        )
        rows = list(
            connection.execute(
                select(a)
                .where(a.c.story_id.in_([st["id"] for st in stories]))
                .order_by(a.c.published_at.desc().nulls_last(), a.c.id)
            ).mappings()
        )
        articles = _article_dicts(connection, rows)
    by_story: dict[int, list[dict[str, Any]]] = {}
    for item in articles:
        by_story.setdefault(item["story_id"], []).append(item)
    return [
        {
            "id": st["id"],
            "title": st["title"],
            "first_seen": _iso(st["first_seen"]),
            "last_seen": _iso(st["last_seen"]),
            "articles": by_story.get(st["id"], []),
        }
        for st in stories
    ]


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in (
                ("documents", t.documents),
                ("copies", t.copies),
                ("articles", t.articles),
                ("stories", t.stories),
            )
        }
