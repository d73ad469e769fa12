"""Stories in SQL: what `cluster.StoryIndex` asks (vocabulary counts, the term index over story centroids,
centroid writes, merges, related stories), and each story's details once an article is placed in it.

Clustering runs for every article, about fifteen statements each, so the hot ones are plain SQL handed
to the driver (`exec_driver_sql`): the same text on SQLite and PostgreSQL, only the parameter marks differ.
Times are bound as `schema.UTCDateTime` stores them (ISO 8601, UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, update

from tidings.models import StoryInfo
from tidings.store import schema as t

ARTICLES = ""  # the vocabulary row that counts articles


def _bind(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


def _read(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class StoryTables:
    c: Connection

    def _sql(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Run `statement` with `?` marks for parameters (turned into the driver's own)."""
        if self.c.dialect.paramstyle != "qmark":
            statement = statement.replace("?", "%s")
        return self.c.exec_driver_sql(statement, tuple(params))

    @staticmethod
    def _marks(n: int) -> str:
        return ", ".join("?" * n)

    def article_story(self, article_id: int) -> int | None:
        value = self._sql("SELECT story_id FROM articles WHERE id = ?", (article_id,)).scalar()
        return int(value) if value is not None else None

    # vocabulary -------------------------------------------------------------------------------------------
    def count_terms(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        keys = sorted({*terms, ARTICLES})  # one order for every worker: no lock waits in a circle
        rows = self._sql(
            "INSERT INTO story_vocabulary (term, df) VALUES "
            + ", ".join(["(?, 1)"] * len(keys))
            + " ON CONFLICT (term) DO UPDATE SET df = story_vocabulary.df + 1 RETURNING term, df",
            keys,
        )
        counts = {str(term): int(df) for term, df in rows.fetchall()}
        return counts.pop(ARTICLES, 1), counts

    # the term index ---------------------------------------------------------------------------------------
    def story_postings(self, terms: Sequence[str], since: datetime | None) -> list[tuple[int, str, float]]:
        if not terms:
            return []
        query = f"SELECT story_id, term, weight FROM story_terms WHERE term IN ({self._marks(len(terms))})"
        params: list[Any] = list(terms)
        if since is not None:
            query += " AND (seen >= ? OR seen IS NULL)"
            params.append(_bind(since))
        return [(int(s), str(term), float(w)) for s, term, w in self._sql(query, params).fetchall()]

    def story_info(self, story_ids: Sequence[int]) -> dict[int, StoryInfo]:
        if not story_ids:
            return {}
        rows = self._sql(
            "SELECT id, article_count, first_seen, last_seen FROM stories "
            f"WHERE id IN ({self._marks(len(story_ids))})",
            story_ids,
        )
        return {int(i): StoryInfo(int(n), _read(first), _read(last)) for i, n, first, last in rows.fetchall()}

    def story_centroids(self, story_ids: Sequence[int]) -> dict[int, dict[str, float]]:
        out: dict[int, dict[str, float]] = {int(s): {} for s in story_ids}
        if story_ids:
            rows = self._sql(
                "SELECT story_id, term, weight FROM story_terms "
                f"WHERE story_id IN ({self._marks(len(story_ids))})",
                story_ids,
            )
            for story, term, weight in rows.fetchall():
                out[story][term] = weight
        return out

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Mapping[str, float],
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        first, last = _bind(first_seen), _bind(last_seen)
        if story_id is None:
            story_id = int(
                self._sql(
                    "INSERT INTO stories (first_seen, last_seen, article_count, publisher_count) "
                    "VALUES (?, ?, 0, 0) RETURNING id",
                    (first, last),
                ).scalar_one()
            )
        else:
            self._sql(
                "UPDATE stories SET first_seen = ?, last_seen = ? WHERE id = ?", (first, last, story_id)
            )
            self._sql("DELETE FROM story_terms WHERE story_id = ?", (story_id,))
        if centroid:
            self._sql(
                "INSERT INTO story_terms (story_id, term, weight, seen) VALUES "
                + ", ".join(["(?, ?, ?, ?)"] * len(centroid)),
                [v for term, weight in centroid.items() for v in (story_id, term, weight, last)],
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
        self._sql("DELETE FROM story_related WHERE story_id = ?", (story_id,))
        if related:
            self._sql(
                "INSERT INTO story_related (story_id, related_id, score) VALUES "
                + ", ".join(["(?, ?, ?)"] * len(related)),
                [v for other, score in related for v in (story_id, other, score)],
            )

    # the pipeline's side ----------------------------------------------------------------------------------
    def set_article_story(self, article_id: int, story_id: int, score: float | None = None) -> None:
        """Record an article as its story's, with its similarity to the story when it joined (None: it
        started the story). The story's headline is that of its article closest to the story."""
        self._sql("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
        self._sql(
            "UPDATE stories SET headline_article_id = ?, headline_score = ?, "
            "title = (SELECT title FROM articles WHERE id = ?) "
            "WHERE id = ? AND (headline_article_id IS NULL OR headline_score < ?)",
            (article_id, score or 0.0, article_id, story_id, score if score is not None else -1.0),
        )
        self._refresh(story_id)

    def story_headline_changed(self, article_id: int, title: str | None) -> None:
        """An article's canonical headline changed (a new copy folded in): so does its story's, if it is
        the story's headline."""
        self._sql("UPDATE stories SET title = ? WHERE headline_article_id = ?", (title, article_id))

    def story_size(self, story_id: int) -> int:
        return int(self._sql("SELECT count(*) FROM articles WHERE story_id = ?", (story_id,)).scalar_one())

    def save_story(
        self, story_id: int | None, title: str | None, seen: datetime | None, terms: dict[str, float]
    ) -> int:
        """A story with a given centroid and title (for tests and tools; clustering uses `save_centroid`)."""
        story_id = self.save_centroid(story_id, terms, seen, seen)
        if title is not None:
            self._sql("UPDATE stories SET title = ? WHERE id = ?", (title, story_id))
        return story_id

    def _refresh(self, story_id: int) -> None:
        """Recount a story's articles and publishers and find its lead publisher (of the earliest article)."""
        self._sql(
            "UPDATE stories SET "
            "article_count = (SELECT count(*) FROM articles WHERE story_id = ?), "
            "publisher_count = (SELECT count(DISTINCT publisher) FROM articles WHERE story_id = ?), "
            "lead_publisher = (SELECT publisher FROM articles WHERE story_id = ? AND publisher IS NOT NULL "
            "ORDER BY published_at IS NULL, published_at, id LIMIT 1) "
            "WHERE id = ?",
            (story_id, story_id, story_id, story_id),
        )
