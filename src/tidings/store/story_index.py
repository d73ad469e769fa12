"""Stories in SQL: what `cluster.StoryIndex` asks (vocabulary counts, the term index over story centroids,
centroid writes, merges, related stories), and each story's details once an article is placed in it.

SQL that runs on SQLite and PostgreSQL alike; the one upsert is written once per dialect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tidings.models import StoryInfo
from tidings.store import schema as t
from tidings.store.util import key as _key

ARTICLES = ""  # the vocabulary row that counts articles


class StoryTables:
    c: Connection

    def article_story(self, article_id: int) -> int | None:
        value = self.c.execute(select(t.articles.c.story_id).where(t.articles.c.id == article_id)).scalar()
        return int(value) if value is not None else None

    # vocabulary -------------------------------------------------------------------------------------------
    def count_terms(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        v = t.story_vocabulary
        keys = sorted({*terms, ARTICLES})  # one order for every worker: no lock waits in a circle
        statement = _upsert(self.c).on_conflict_do_update(index_elements=[v.c.term], set_={"df": v.c.df + 1})
        self.c.execute(statement, [{"term": k, "df": 1} for k in keys])
        counts = {
            str(k): int(n) for k, n in self.c.execute(select(v.c.term, v.c.df).where(v.c.term.in_(keys)))
        }
        total = int(counts.pop(ARTICLES, 1))
        return total, {k: int(n) for k, n in counts.items()}

    # the term index ---------------------------------------------------------------------------------------
    def story_postings(
        self, terms: Sequence[str], since: datetime | None
    ) -> tuple[list[tuple[int, str, float]], dict[int, StoryInfo]]:
        st, s = t.story_terms, t.stories
        where: ColumnElement[bool] = st.c.term.in_(list(terms))
        if since is not None:
            where = and_(where, or_(st.c.seen >= since, st.c.seen.is_(None)))
        postings = [
            (int(story), str(term), float(weight))
            for story, term, weight in self.c.execute(
                select(st.c.story_id, st.c.term, st.c.weight).where(where)
            )
        ]
        ids = sorted({p[0] for p in postings})
        infos: dict[int, StoryInfo] = {}
        if ids:
            rows = self.c.execute(
                select(s.c.id, s.c.article_count, s.c.first_seen, s.c.last_seen).where(s.c.id.in_(ids))
            )
            infos = {int(i): StoryInfo(int(n), first, last) for i, n, first, last in rows}
        return postings, infos

    def story_centroid(self, story_id: int) -> dict[str, float]:
        st = t.story_terms
        rows = self.c.execute(select(st.c.term, st.c.weight).where(st.c.story_id == story_id))
        return {str(term): float(weight) for term, weight in rows}

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Mapping[str, float],
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        s, st = t.stories, t.story_terms
        if story_id is None:
            story_id = _key(
                self.c.execute(
                    insert(s).values(
                        first_seen=first_seen, last_seen=last_seen, article_count=0, publisher_count=0
                    )
                )
            )
        else:
            self.c.execute(
                update(s).where(s.c.id == story_id).values(first_seen=first_seen, last_seen=last_seen)
            )
            self.c.execute(delete(st).where(st.c.story_id == story_id))
        if centroid:
            self.c.execute(
                insert(st),
                [
                    {"story_id": story_id, "term": term, "weight": weight, "seen": last_seen}
                    for term, weight in centroid.items()
                ],
            )
        return story_id

    def merge_stories(self, keep: int, gone: int) -> None:
        s, a, r = t.stories, t.articles, t.story_related
        self.c.execute(update(a).where(a.c.story_id == gone).values(story_id=keep))
        self.c.execute(update(s).where(s.c.merged_into == gone).values(merged_into=keep))
        self.c.execute(
            update(s)
            .where(s.c.id == gone)
            .values(merged_into=keep, article_count=0, publisher_count=0, headline_article_id=None)
        )
        self.c.execute(delete(t.story_terms).where(t.story_terms.c.story_id == gone))
        self.c.execute(delete(r).where(or_(r.c.story_id == gone, r.c.related_id == gone)))
        self._refresh(keep)

    def save_related(self, story_id: int, related: Sequence[tuple[int, float]]) -> None:
        r = t.story_related
        self.c.execute(delete(r).where(r.c.story_id == story_id))
        if related:
            self.c.execute(
                insert(r),
                [{"story_id": story_id, "related_id": other, "score": score} for other, score in related],
            )

    # the pipeline's side ----------------------------------------------------------------------------------
    def set_article_story(self, article_id: int, story_id: int, score: float | None = None) -> None:
        """Record an article as its story's, with its similarity to the story when it joined (None: it
        started the story). The story's headline is that of its article closest to the story."""
        a, s = t.articles, t.stories
        self.c.execute(update(a).where(a.c.id == article_id).values(story_id=story_id))
        current = self.c.execute(
            select(s.c.headline_article_id, s.c.headline_score).where(s.c.id == story_id)
        ).one()
        if current.headline_article_id is None or (
            score is not None and score > (current.headline_score or 0)
        ):
            title = self.c.execute(select(a.c.title).where(a.c.id == article_id)).scalar()
            if title is not None or current.headline_article_id is None:
                self.c.execute(
                    update(s)
                    .where(s.c.id == story_id)
                    .values(headline_article_id=article_id, headline_score=score or 0.0, title=title)
                )
        self._refresh(story_id)

    def story_headline_changed(self, article_id: int, title: str | None) -> None:
        """An article's canonical headline changed (a new copy folded in): so does its story's, if it is
        the story's headline."""
        s = t.stories
        self.c.execute(update(s).where(s.c.headline_article_id == article_id).values(title=title))

    def story_size(self, story_id: int) -> int:
        return int(self.c.execute(select(func.count()).where(t.articles.c.story_id == story_id)).scalar_one())

    def save_story(
        self, story_id: int | None, title: str | None, seen: datetime | None, terms: dict[str, float]
    ) -> int:
        """A story with a given centroid and title (for tests and tools; clustering uses `save_centroid`)."""
        story_id = self.save_centroid(story_id, terms, seen, seen)
        if title is not None:
            self.c.execute(update(t.stories).where(t.stories.c.id == story_id).values(title=title))
        return story_id

    def _refresh(self, story_id: int) -> None:
        """Recount a story's articles and publishers and find its lead publisher (of the earliest article)."""
        a, s = t.articles, t.stories
        members = a.c.story_id == story_id
        lead = (
            select(a.c.publisher)
            .where(members, a.c.publisher.is_not(None))
            .order_by(a.c.published_at.is_(None), a.c.published_at, a.c.id)
            .limit(1)
            .scalar_subquery()
        )
        self.c.execute(
            update(s)
            .where(s.c.id == story_id)
            .values(
                article_count=select(func.count()).where(members).scalar_subquery(),
                publisher_count=select(func.count(a.c.publisher.distinct())).where(members).scalar_subquery(),
                lead_publisher=lead,
            )
        )


def _upsert(connection: Connection) -> Any:
    """INSERT … ON CONFLICT for the vocabulary, in the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(t.story_vocabulary)
