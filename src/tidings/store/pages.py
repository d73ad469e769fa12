"""Read queries behind the reader's pages: the ranked front page, a story's full coverage, source and
publisher pages, one copy as its site showed it (for the diff), and the list of sites.

Rows come back as plain dicts with ISO-8601 times, like `queries`. Everything here is bounded by an
index and a LIMIT, so pages stay fast on a large store.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from tidings.store import schema as t
from tidings.store.db import Store

# The front page ranks the most recent stories by recency and breadth; older ones follow by recency.
RANK_WINDOW = 300
GRAVITY = 1.5


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def hotness(publishers: int, copies: int, newest: datetime | None, now: datetime) -> float:
    """Breadth of coverage over age: more publishers and copies lift a story, hours pull it down."""
    if newest is None:
        return 0.0
    hours = max(0.0, (now - newest).total_seconds() / 3600)
    breadth = 1 + math.log(max(publishers, 1)) + 0.5 * math.log(max(copies, 1))
    return float(breadth / (hours + 2) ** GRAVITY)


def _recent_stories(c: Connection, limit: int, offset: int) -> list[Any]:
    s = t.stories
    return list(
        c.execute(
            select(s.c.id, s.c.title, s.c.first_seen, s.c.last_seen)
            .where(s.c.article_count > 0)
            .order_by(s.c.last_seen.desc().nulls_last(), s.c.id.desc())
            .limit(limit)
            .offset(offset)
        ).mappings()
    )


def _sites(c: Connection, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """The distinct sites that carried each article, in the order they were fetched."""
    cp, d = t.copies, t.documents
    out: dict[int, list[str]] = {}
    if not article_ids:
        return out
    rows = c.execute(
        select(cp.c.article_id, d.c.site)
        .join(d, d.c.id == cp.c.document_id)
        .where(cp.c.article_id.in_(list(article_ids)))
        .order_by(d.c.fetched_at, cp.c.id)
    )
    for article_id, site in rows:
        carried = out.setdefault(article_id, [])
        if site and site not in carried:
            carried.append(site)
    return out


def _copy_counts(c: Connection, article_ids: Sequence[int]) -> dict[int, int]:
    if not article_ids:
        return {}
    cp = t.copies
    rows = c.execute(
        select(cp.c.article_id, func.count())
        .where(cp.c.article_id.in_(list(article_ids)))
        .group_by(cp.c.article_id)
    )
    return {int(a): int(n) for a, n in rows}


def _story_articles(c: Connection, story_ids: Sequence[int]) -> list[dict[str, Any]]:
    a = t.articles
    if not story_ids:
        return []
    return _article_list(
        c,
        select(a.c.id, a.c.story_id, a.c.title, a.c.publisher, a.c.published_at)
        .where(a.c.story_id.in_(list(story_ids)))
        .order_by(a.c.published_at.desc().nulls_last(), a.c.id),
    )


def _publisher_key(item: dict[str, Any]) -> str:
    # An article without a named publisher counts as its first site's (or as its own).
    if item["publisher"]:
        return f"p:{item['publisher'].casefold()}"
    return f"s:{item['sites'][0]}" if item["sites"] else f"a:{item['id']}"


def _story(row: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    # The lead is the article that broke the story: the earliest published (undated ones last).
    dated = [i for i in items if i["published_at"]]
    lead = min(dated, key=lambda i: (i["published_at"], i["id"])) if dated else (items[0] if items else None)
    return {
        "id": row["id"],
        "title": row["title"],
        "first_seen": _iso(row["first_seen"]),
        "last_seen": _iso(row["last_seen"]),
        "articles": items,
        "lead": lead,
        "publisher_count": len({_publisher_key(i) for i in items}),
        "copy_count": sum(i["copy_count"] for i in items),
    }


def _breadth(c: Connection, story_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(publishers, copies) per story, counted in SQL: what ranking needs, without the articles' details.
    Articles that name no publisher count one each."""
    if not story_ids:
        return {}
    a, cp = t.articles, t.copies
    copies = select(func.count()).where(cp.c.article_id == a.c.id).scalar_subquery()
    rows = c.execute(
        select(
            a.c.story_id,
            func.count(func.lower(a.c.publisher).distinct())
            + func.sum(case((a.c.publisher.is_(None), 1), else_=0)),
            func.sum(copies),
        )
        .where(a.c.story_id.in_(list(story_ids)))
        .group_by(a.c.story_id)
    )
    return {int(story): (int(publishers or 0), int(count or 0)) for story, publishers, count in rows}


def front_page(store: Store, now: datetime, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Stories for one page: the `RANK_WINDOW` most recent ranked by `hotness`, then older ones by recency.

    Each story has its articles (newest first, with sites and copy counts), its lead article, and how many
    publishers and copies carried it. Every story appears on exactly one page.
    """
    with store.engine.connect() as c:
        head = _recent_stories(c, RANK_WINDOW, 0)
        breadth = _breadth(c, [r["id"] for r in head])

        def score(row: Any) -> float:
            publishers, copies = breadth.get(row["id"], (0, 0))
            return hotness(publishers, copies, row["last_seen"], now)

        ranked = sorted(head, key=score, reverse=True)
        chosen = ranked[offset : offset + limit]
        if len(head) == RANK_WINDOW and offset + limit > RANK_WINDOW:
            start = max(offset, RANK_WINDOW)
            chosen += _recent_stories(c, offset + limit - start, start)
        by_story: dict[int, list[dict[str, Any]]] = {}
        for item in _story_articles(c, [r["id"] for r in chosen]):
            by_story.setdefault(item["story_id"], []).append(item)
    return [_story(r, by_story.get(r["id"], [])) for r in chosen]


def story_coverage(store: Store, story_id: int) -> dict[str, Any] | None:
    """A story with every article in it (full coverage), oldest first, for the article page."""
    s = t.stories
    with store.engine.connect() as c:
        row = (
            c.execute(select(s.c.id, s.c.title, s.c.first_seen, s.c.last_seen).where(s.c.id == story_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        items = _story_articles(c, [story_id])
    items.sort(key=lambda i: (i["published_at"] is None, i["published_at"] or "", i["id"]))
    return _story(row, items)


def _article_list(c: Connection, query: Any) -> list[dict[str, Any]]:
    """The query's rows (which select an article's `id` and `published_at`) as dicts, each with the sites
    that carried the article and its number of copies."""
    rows = list(c.execute(query).mappings())
    ids = [r["id"] for r in rows]
    sites, copies = _sites(c, ids), _copy_counts(c, ids)
    return [
        {
            **r,
            "published_at": _iso(r["published_at"]),
            "sites": sites.get(r["id"], []),
            "copy_count": copies.get(r["id"], 0),
        }
        for r in rows
    ]


def _list_columns() -> Any:
    a = t.articles
    return select(a.c.id, a.c.title, a.c.dek, a.c.publisher, a.c.published_at)


def site_articles(store: Store, site: str, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Articles a site carried, newest first."""
    a, cp, d = t.articles, t.copies, t.documents
    carried = select(cp.c.article_id).join(d, d.c.id == cp.c.document_id).where(d.c.site == site)
    query = (
        _list_columns()
        .where(a.c.id.in_(carried))
        .order_by(a.c.published_at.desc().nulls_last(), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as c:
        return _article_list(c, query)


def publisher_articles(store: Store, publisher: str, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Articles a publisher wrote (as their copies credit them), newest first."""
    a = t.articles
    query = (
        _list_columns()
        .where(a.c.publisher == publisher)
        .order_by(a.c.published_at.desc().nulls_last(), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as c:
        return _article_list(c, query)


def articles_by_id(store: Store, article_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    a = t.articles
    with store.engine.connect() as c:
        found = _article_list(c, _list_columns().where(a.c.id.in_(list(article_ids))))
    return {item["id"]: item for item in found}


def site_names(store: Store, limit: int) -> list[tuple[str, int]]:
    """Sites with how many documents Tidings took from each, busiest first."""
    d = t.documents
    with store.engine.connect() as c:
        rows = c.execute(
            select(d.c.site, func.count())
            .where(d.c.site.is_not(None))
            .group_by(d.c.site)
            .order_by(func.count().desc(), d.c.site)
            .limit(limit)
        )
        return [(str(site), int(n)) for site, n in rows]


def copy_text(store: Store, article_id: int, copy_id: int) -> dict[str, Any] | None:
    """One copy of an article as its site showed it, with where it came from and what it changed."""
    cp, d = t.copies, t.documents
    with store.engine.connect() as c:
        row = (
            c.execute(
                select(
                    cp.c.id,
                    cp.c.title,
                    cp.c.dek,
                    cp.c.body,
                    cp.c.changes,
                    d.c.site,
                    d.c.url,
                    d.c.fetched_at,
                )
                .join(d, d.c.id == cp.c.document_id)
                .where(cp.c.id == copy_id, cp.c.article_id == article_id)
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    return {
        "id": row["id"],
        "title": row["title"],
        "dek": row["dek"],
        "body": json.loads(row["body"]),
        "changes": json.loads(row["changes"]),
        "site": row["site"],
        "url": row["url"],
        "fetched_at": _iso(row["fetched_at"]),
    }


def related_stories(store: Store, story_id: int, limit: int = 5) -> list[dict[str, Any]]:
    """The stories the stories area found nearest this one (`story_related`), best first, each with the
    article its link opens (the story's headline article, or its first)."""
    r, s, a = t.story_related, t.stories, t.articles
    first_article = select(func.min(a.c.id)).where(a.c.story_id == s.c.id).scalar_subquery()
    with store.engine.connect() as c:
        rows = c.execute(
            select(
                s.c.id, s.c.title, func.coalesce(s.c.headline_article_id, first_article).label("article_id")
            )
            .join(r, r.c.related_id == s.c.id)
            .where(r.c.story_id == story_id, s.c.article_count > 0)
            .order_by(r.c.score.desc(), s.c.id)
            .limit(limit)
        ).mappings()
        return [
            {"id": row["id"], "title": row["title"], "article_id": row["article_id"]}
            for row in rows
            if row["article_id"] is not None
        ]
