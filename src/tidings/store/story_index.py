"""Stories in SQL: what `cluster.StoryIndex` asks, and the story of each article."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from tidings.store import schema as t
from tidings.store.util import key as _key


class StoryTables:
    c: Connection

    def article_story(self, article_id: int) -> int | None:
        value = self.c.execute(select(t.articles.c.story_id).where(t.articles.c.id == article_id)).scalar()
        return int(value) if value is not None else None

    # stories (StoryIndex) ---------------------------------------------------------------------------------
    def story_candidates(
        self, terms: Sequence[str], since: datetime | None, limit: int
    ) -> list[tuple[int, dict[str, float]]]:
        st, s = t.story_terms, t.stories
        query = (
            select(st.c.story_id)
            .join(s, s.c.id == st.c.story_id)
            .where(st.c.term.in_(list(terms)))
            .group_by(st.c.story_id)
            .order_by(func.count().desc(), st.c.story_id)
            .limit(limit)
        )
        if since is not None:
            query = query.where((s.c.last_seen >= since) | (s.c.last_seen.is_(None)))
        ids = [int(i) for i in self.c.execute(query).scalars()]
        centroids: dict[int, dict[str, float]] = {i: {} for i in ids}
        rows = self.c.execute(select(st.c.story_id, st.c.term, st.c.weight).where(st.c.story_id.in_(ids)))
        for story_id, term, weight in rows:  # one query for all candidates' centroids
            centroids[int(story_id)][term] = float(weight)
        return list(centroids.items())

    def save_story(
        self, story_id: int | None, title: str | None, seen: datetime | None, terms: dict[str, float]
    ) -> int:
        s = t.stories
        if story_id is None:
            result = self.c.execute(
                insert(s).values(title=title, first_seen=seen, last_seen=seen, article_count=0)
            )
            story_id = _key(result)
        else:
            row = self.c.execute(select(s.c.first_seen, s.c.last_seen).where(s.c.id == story_id)).one()
            first = min((d for d in (row.first_seen, seen) if d is not None), default=None)
            last = max((d for d in (row.last_seen, seen) if d is not None), default=None)
            self.c.execute(update(s).where(s.c.id == story_id).values(first_seen=first, last_seen=last))
        self.c.execute(delete(t.story_terms).where(t.story_terms.c.story_id == story_id))
        if terms:
            self.c.execute(
                insert(t.story_terms),
                [{"story_id": story_id, "term": term, "weight": weight} for term, weight in terms.items()],
            )
        return story_id

    def story_size(self, story_id: int) -> int:
        return int(self.c.execute(select(func.count()).where(t.articles.c.story_id == story_id)).scalar_one())

    def set_article_story(self, article_id: int, story_id: int) -> None:
        self.c.execute(update(t.articles).where(t.articles.c.id == article_id).values(story_id=story_id))
        count = self.c.execute(select(func.count()).where(t.articles.c.story_id == story_id)).scalar_one()
        title = self.c.execute(
            select(t.articles.c.title)
            .where(t.articles.c.story_id == story_id, t.articles.c.title.is_not(None))
            .order_by(t.articles.c.published_at, t.articles.c.id)
            .limit(1)
        ).scalar()
        self.c.execute(
            update(t.stories).where(t.stories.c.id == story_id).values(article_count=count, title=title)
        )
