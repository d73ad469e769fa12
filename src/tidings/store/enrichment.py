"""Enrichment in SQL, the write side: what the pipeline's enrich step saves for an article.

Entities are shared across articles: one row per person, place or organisation (by kind and name), so an
entity page lists every article and quotation of a person across stories. A lone surname ("Lukashenko")
joins the one person whose full name ends with it, when exactly one does.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from tidings.models import CanonicalArticle, Enrichment, KeyPoint
from tidings.store import schema as t
from tidings.store.util import now as _now

# Built once: enrich asks for every lone capitalised word of every article.
_PERSON_NAMES = (
    select(t.entities.c.name)
    .where(t.entities.c.kind == "PERSON", t.entities.c.last_word == bindparam("word"))
    .order_by(t.entities.c.id)
    .limit(3)
)
_CHUNK = 400  # keys per IN (...) list


def points_json(points: tuple[KeyPoint, ...]) -> str:
    return json.dumps(
        [
            {
                "text": p.text,
                "paragraph": p.span.paragraph,
                "start": p.span.start,
                "end": p.span.end,
                "score": p.score,
            }
            for p in points
        ],
        ensure_ascii=False,
    )


def entity_key(kind: str, name: str) -> str:
    return f"{kind}:{' '.join(name.casefold().split())}"[:300]


class EnrichTables:
    c: Connection

    def enrichment_key(self, article_id: int) -> str | None:
        """The source key the article's stored enrichment was made from, if it has one."""
        value = self.c.execute(
            select(t.article_enrichments.c.source_key).where(t.article_enrichments.c.article_id == article_id)
        ).scalar()
        return str(value) if value is not None else None

    def enrichment_seconds(self, article_id: int) -> float:
        value = self.c.execute(
            select(t.article_enrichments.c.seconds).where(t.article_enrichments.c.article_id == article_id)
        ).scalar()
        return float(value or 0.0)

    def article_ids(self) -> list[int]:
        """Every article, oldest first."""
        return [int(i) for i in self.c.execute(select(t.articles.c.id).order_by(t.articles.c.id)).scalars()]

    def person_names(self, word: str) -> list[str]:
        """Full names of the people already known whose name ends with `word` (`enrich.KnownNames`)."""
        return [str(n) for n in self.c.execute(_PERSON_NAMES, {"word": word.casefold()[:200]}).scalars()]

    def stored_article(self, article_id: int) -> CanonicalArticle | None:
        """The canonical article as saved (for enriching it again)."""
        row = self.c.execute(select(t.articles).where(t.articles.c.id == article_id)).mappings().first()
        if row is None:
            return None
        return CanonicalArticle(
            title=row["title"],
            dek=row["dek"],
            body=tuple(json.loads(row["body"])),
            publisher=row["publisher"],
            author=row["author"],
            published_at=row["published_at"],
            language=row["language"],
            image=row["image"],
        )

    def save_enrichment(
        self, article_id: int, enrichment: Enrichment, source_key: str, *, first: bool = False
    ) -> None:
        """Replace the article's enrichment: its row, its entity mentions and its quotes (`first`: it has
        none yet, nothing to delete). A handful of statements whatever the number of entities."""
        if not first:
            for table in (t.entity_mentions, t.quotes, t.article_enrichments):
                self.c.execute(delete(table).where(table.c.article_id == article_id))
        e = enrichment
        self.c.execute(
            insert(t.article_enrichments).values(
                article_id=article_id,
                source_key=source_key,
                language=e.language,
                reading_minutes=e.reading_minutes,
                key_points=points_json(e.key_points),
                candidates=points_json(e.candidates),
                keywords=json.dumps(list(e.keywords), ensure_ascii=False),
                engine=e.engine[:100],
                truncated=e.truncated,
                seconds=e.seconds,
                enriched_at=_now(),
            )
        )
        ids = self._entity_ids([(entity.kind, entity.name) for entity in e.entities])
        rows: dict[int, dict[str, Any]] = {}
        for entity in e.entities:
            entity_id = ids[(entity.kind, entity.name)]
            row = rows.setdefault(
                entity_id,
                {"article_id": article_id, "entity_id": entity_id, "name": entity.name, "mentions": []},
            )
            row["mentions"].extend([text, s.paragraph, s.start, s.end] for text, s in entity.mentions)
        if rows:
            self.c.execute(
                insert(t.entity_mentions),
                [
                    {
                        **row,
                        "count": len(row["mentions"]),
                        "mentions": json.dumps(row["mentions"], ensure_ascii=False),
                    }
                    for row in rows.values()
                ],
            )
        if e.quotes:
            self.c.execute(
                insert(t.quotes),
                [
                    {
                        "article_id": article_id,
                        "position": position,
                        "entity_id": ids.get((q.speaker_kind or "", q.speaker or "")),
                        "speaker": q.speaker,
                        "speaker_text": q.speaker_text,
                        "kind": q.kind,
                        "cue": (q.cue or None) and q.cue[:40],
                        "nested": q.nested,
                        "text": q.text,
                        "paragraph": q.span.paragraph,
                        "start": q.span.start,
                        "end": q.span.end,
                    }
                    for position, q in enumerate(e.quotes)
                ],
            )

    def _entity_ids(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The entity row of each (kind, name), made when missing. A lone surname joins the one person
        known by it (counting the people this article adds), if there is exactly one."""
        keys = {pair: entity_key(*pair) for pair in wanted}
        lone = {p for p in keys if p[0] == "PERSON" and len(p[1].split()) == 1}
        found = self._ids_by_key(list(keys.values()))
        self._insert_entities({keys[p]: p for p in keys if p not in lone and keys[p] not in found}, found)
        surnames = {p: p[1].casefold()[:200] for p in lone if keys[p] not in found}
        only = self._only_person(sorted(set(surnames.values())))
        for pair, word in surnames.items():
            if word in only:
                found[keys[pair]] = only[word]
        self._insert_entities({keys[p]: p for p in surnames if keys[p] not in found}, found)
        return {pair: found[key] for pair, key in keys.items()}

    def _ids_by_key(self, keys: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in range(0, len(keys), _CHUNK):
            query = select(t.entities.c.key, t.entities.c.id).where(
                t.entities.c.key.in_(keys[i : i + _CHUNK])
            )
            out.update((str(k), int(v)) for k, v in self.c.execute(query))
        return out

    def _insert_entities(self, new: dict[str, tuple[str, str]], found: dict[str, int]) -> None:
        """Insert the entities (by key) in one statement and add their ids to `found`."""
        if not new:
            return
        rows = []
        for key, (kind, name) in new.items():
            words = name.casefold().split()
            rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "key": key,
                    "last_word": words[-1][:200] if len(words) > 1 else None,
                }
            )
        self.c.execute(insert(t.entities), rows)
        found.update(self._ids_by_key(list(new)))

    def _only_person(self, words: list[str]) -> dict[str, int]:
        """For each surname, the person known by it when exactly one is."""
        out: dict[str, int] = {}
        for i in range(0, len(words), _CHUNK):
            query = (
                select(t.entities.c.last_word, func.min(t.entities.c.id), func.count())
                .where(t.entities.c.kind == "PERSON", t.entities.c.last_word.in_(words[i : i + _CHUNK]))
                .group_by(t.entities.c.last_word)
            )
            out.update((str(w), int(first)) for w, first, n in self.c.execute(query) if n == 1)
        return out
