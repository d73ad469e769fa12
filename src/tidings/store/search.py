"""Full-text search over articles' titles, deks, bodies, publishers and authors.

SQLite: the FTS5 table `article_search` (porter stemming, diacritics folded), kept in step with `articles`
by triggers (migration 0006_reader), ranked by BM25 with the title weighing most among the newest
`RANK_CANDIDATES` matches (news: a query for a common word wants this year's articles, not every one).
PostgreSQL: a tsvector over the same text, English-stemmed like FTS5's porter (GIN-indexed, migrations
0006_reader and 0008_reader_stemming). Anything else, or a SQLite without the table: a plain LIKE scan,
slow but correct. Matches come back with the matched words between `MARK_START` and `MARK_END`, which the
web layer turns into <mark> after escaping everything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    column,
    func,
    inspect,
    literal_column,
    or_,
    select,
    table,
    text,
)

from tidings.store import schema as t
from tidings.store.db import Store

MARK_START = "\ue000"  # private-use characters: never in text the pages show
MARK_END = "\ue001"
MAX_TERMS = 12
MAX_TERM_CHARS = 64
SNIPPET_WORDS = 30
# Matches ranked by relevance: the newest this many (by article id, i.e. the order Tidings took them in).
RANK_CANDIDATES = 1000

_TOKEN = re.compile(r'"([^"]*)"|(\w+)')
_WORD = re.compile(r"\w+")
# Must match the expression the migration indexes (0008_reader_stemming) for PostgreSQL to use it.
_PG_CONFIG = "english"
_PG_DOCUMENT = (
    f"to_tsvector('{_PG_CONFIG}', coalesce(articles.title, '') || ' ' || coalesce(articles.dek, '') || ' ' "
    "|| coalesce(articles.publisher, '') || ' ' || coalesce(articles.author, '') || ' ' || articles.body)"
)


@dataclass(frozen=True, slots=True)
class Query:
    """What a reader typed, parsed: words and "quoted phrases", each a list of words."""

    phrases: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> list[str]:
        return [w for phrase in self.phrases for w in phrase]


def parse_query(raw: str) -> Query:
    """Words and quoted phrases; every operator and punctuation character is taken as plain text."""
    phrases: list[tuple[str, ...]] = []
    for quoted, word in _TOKEN.findall(raw[:1000]):
        words = tuple(w[:MAX_TERM_CHARS] for w in _WORD.findall(quoted if quoted else word))
        if words:
            phrases.append(words[:MAX_TERMS])
        if sum(len(p) for p in phrases) >= MAX_TERMS:
            break
    return Query(tuple(phrases))


def fts5_expression(query: Query) -> str:
    # Each phrase double-quoted: FTS5 reads it as a string, never as syntax (AND, NEAR, column filters).
    return " ".join('"' + " ".join(phrase) + '"' for phrase in query.phrases)


@dataclass(frozen=True, slots=True)
class Filters:
    publisher: str | None = None
    site: str | None = None
    since: datetime | None = None  # published at or after
    before: datetime | None = None  # published before


def _filters(filters: Filters, article_key: ColumnElement[Any] | None = None) -> list[ColumnElement[bool]]:
    """WHERE terms for the filters; `article_key` is the article id column the site filter tests."""
    a, cp, d = t.articles, t.copies, t.documents
    where: list[ColumnElement[bool]] = []
    if filters.publisher:
        where.append(func.lower(a.c.publisher) == filters.publisher.lower())
    if filters.site:
        # A set made once (through ix_documents_site), not a probe per match.
        carried = select(cp.c.article_id).join(d, d.c.id == cp.c.document_id).where(d.c.site == filters.site)
        where.append((a.c.id if article_key is None else article_key).in_(carried))
    if filters.since:
        where.append(a.c.published_at >= filters.since)
    if filters.before:
        where.append(a.c.published_at < filters.before)
    return where


def search(store: Store, query: Query, filters: Filters, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """Matching articles, best first: id, title (marked), snippet (marked), publisher, published_at."""
    if not query.phrases:
        return []
    with store.engine.connect() as c:
        dialect = c.dialect.name
        if dialect == "sqlite" and _has_fts(c):
            return _search_fts5(c, query, filters, limit, offset)
        if dialect == "postgresql":
            return _search_postgres(c, query, filters, limit, offset)
        return search_like(c, query, filters, limit, offset)


def _has_fts(c: Connection) -> bool:
    return bool(inspect(c).has_table("article_search"))


def _search_fts5(
    c: Connection, query: Query, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    a = t.articles
    fts = table("article_search", column("rowid"))
    whole: ColumnElement[Any] = literal_column("article_search")
    # The unary plus keeps SQLite from driving FTS5 by that IN list (one index probe per id, far slower
    # than walking the matches and testing each against the list).
    matching = [
        whole.match(fts5_expression(query)),
        *_filters(filters, literal_column("+article_search.rowid")),
    ]
    joined = fts.join(a, a.c.id == fts.c.rowid)
    # BM25 over every match of a common word costs time in proportion to the matches; ranking only the
    # newest `RANK_CANDIDATES` (FTS5 walks its matches newest first cheaply) keeps search fast on any store.
    floor = c.execute(
        select(fts.c.rowid)
        .select_from(joined)
        .where(*matching)
        .order_by(fts.c.rowid.desc())
        .limit(1)
        .offset(max(RANK_CANDIDATES, offset + limit) - 1)
    ).scalar()
    if floor is not None:
        matching.append(fts.c.rowid >= floor)
    stmt = (
        select(
            a.c.id,
            a.c.publisher,
            a.c.published_at,
            func.highlight(whole, 0, MARK_START, MARK_END).label("title"),
            func.snippet(whole, 2, MARK_START, MARK_END, "…", SNIPPET_WORDS).label("snippet"),
        )
        .select_from(joined)
        .where(*matching)
        # Column weights: title, dek, body, publisher, author.
        .order_by(func.bm25(whole, 10.0, 4.0, 1.0, 2.0, 2.0), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_row(r, r["title"], r["snippet"]) for r in c.execute(stmt).mappings()]


def _search_postgres(
    c: Connection, query: Query, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    a = t.articles
    tsquery = func.websearch_to_tsquery(_PG_CONFIG, " ".join(f'"{" ".join(p)}"' for p in query.phrases))
    document = text(_PG_DOCUMENT)
    stmt = (
        _columns()
        .where(literal_column(_PG_DOCUMENT).op("@@")(tsquery), *_filters(filters))
        .order_by(func.ts_rank(document, tsquery).desc(), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _marked_in_python(c, stmt, query)


def search_like(
    c: Connection, query: Query, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The portable path: a LIKE scan, newest first (also the benchmark's peer for the full-text index)."""
    a = t.articles
    where = []
    for phrase in query.phrases:
        needle = (
            "%" + " ".join(phrase).lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where.append(
            or_(
                *(
                    func.lower(col).like(needle, escape="\\")
                    for col in (a.c.title, a.c.dek, a.c.body, a.c.publisher)
                )
            )
        )
    stmt = (
        _columns()
        .where(and_(*where), *_filters(filters))
        .order_by(a.c.published_at.desc().nulls_last(), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _marked_in_python(c, stmt, query)


def _columns() -> Select[Any]:
    a = t.articles
    return select(a.c.id, a.c.publisher, a.c.published_at, a.c.title, a.c.body)


def _marked_in_python(c: Connection, stmt: Select[Any], query: Query) -> list[dict[str, Any]]:
    found = []
    for r in c.execute(stmt).mappings():
        body = json.loads(r["body"]) if r["body"] else []
        found.append(_row(r, mark_words(r["title"] or "", query), snippet(body, query)))
    return found


def _row(r: Any, title: str | None, snippet_text: str | None) -> dict[str, Any]:
    return {
        "id": r["id"],
        "title": title,
        "snippet": snippet_text or "",
        "publisher": r["publisher"],
        "published_at": r["published_at"].isoformat() if r["published_at"] else None,
    }


def _word_pattern(query: Query) -> re.Pattern[str] | None:
    words = sorted({w.lower() for w in query.words}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def mark_words(value: str, query: Query) -> str:
    """`value` with the query's words (and words they begin) between the marks."""
    pattern = _word_pattern(query)
    if pattern is None:
        return value
    clean = value.replace(MARK_START, "").replace(MARK_END, "")
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", clean)


def snippet(paragraphs: list[str], query: Query, words: int = SNIPPET_WORDS) -> str:
    """About `words` words around the first match in the body, matches marked (the non-FTS5 paths)."""
    pattern = _word_pattern(query)
    for paragraph in paragraphs:
        if pattern is not None and pattern.search(paragraph):
            tokens = paragraph.split()
            first = next(i for i, tok in enumerate(tokens) if pattern.search(tok))
            start = max(0, first - words // 3)
            piece = " ".join(tokens[start : start + words])
            prefix = "…" if start > 0 else ""
            suffix = "…" if start + words < len(tokens) else ""
            return prefix + mark_words(piece, query) + suffix
    return " ".join(" ".join(paragraphs).split()[:words])
