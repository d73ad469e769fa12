"""The enrich stage: what Tidings works out about an article on the reader's own machine, from its own text.

`enrich(article, engine)` gives an `Enrichment`: key points (LexRank + MMR, `keypoints`), people, places and
organisations with their mentions merged (`names`, `entities`), who said what (`marks`, `quotes`),
keywords (YAKE, `keywords`), language (`language`) and reading time. Nothing is downloaded: the default
engine is spaCy's blank English pipeline with rules and gazetteers shipped in packages; an installed spaCy
model plugs in through `load_engine(name)` (setting `enrich_spacy_model`).

Bounded work: enrich reads at most `max_chars` characters of body (whole paragraphs, the last one cut),
so a huge article costs no more than a long one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence

from spacy.tokens import Doc

from tidings.enrich import entities as entity_merge
from tidings.enrich import keypoints, keywords, language, marks, names, quotes
from tidings.enrich.entities import KnownNames
from tidings.enrich.gazetteer import Gazetteer
from tidings.enrich.gazetteer import load as load_gazetteer
from tidings.enrich.nlp import RULES, Engine
from tidings.enrich.nlp import load as load_engine
from tidings.models import CanonicalArticle, Enrichment, Entity, KeyPoint, TextSpan
from tidings.text import reading_minutes

log = logging.getLogger(__name__)
MAX_CHARS = 30_000
MAX_PARAGRAPHS = 500
# Version of the rules: a stored enrichment made by other rules is made again.
VERSION = 1


def capped(body: Sequence[str], max_chars: int = MAX_CHARS) -> tuple[list[str], bool]:
    """The paragraphs enrich reads: whole ones up to `max_chars` characters, the last one cut at a space."""
    out: list[str] = []
    left = max_chars
    for paragraph in body[:MAX_PARAGRAPHS]:
        if left <= 0:
            return out, True
        if len(paragraph) > left:
            cut = paragraph.rfind(" ", 0, left)
            out.append(paragraph[: cut if cut > 0 else left])
            return out, True
        out.append(paragraph)
        left -= len(paragraph)
    return out, len(body) > MAX_PARAGRAPHS


def enrich(
    article: CanonicalArticle,
    engine: Engine | None = None,
    max_chars: int = MAX_CHARS,
    known: KnownNames | None = None,
) -> Enrichment:
    """Everything enrich works out about one article; `known` lets a lone surname name a person that
    earlier articles gave in full."""
    started = time.perf_counter()
    engine = engine or load_engine("")
    gaz = load_gazetteer()
    body, truncated = capped(article.body, max_chars)
    lang = article.language or language.detect(" ".join(body))
    docs = list(engine.nlp.pipe(body))
    analysed = _analyse(docs, engine, gaz, lang)
    clusters = entity_merge.merge([m for p in analysed for m in p.mentions], gaz, known)
    found_quotes = quotes.find(analysed, clusters) if _reads_names(engine, lang) else []
    points, candidates = keypoints.rank(_sentences(docs))
    found_entities = tuple(_entity(c) for c in clusters if c.mentions)
    # Sentence ends between headline, dek and body, so that no key phrase runs across them.
    text = ".\n".join(p.rstrip(".") for p in filter(None, [article.title, article.dek, *body]))
    return Enrichment(
        language=lang,
        reading_minutes=reading_minutes(article.body),
        key_points=tuple(points),
        entities=found_entities,
        quotes=tuple(found_quotes),
        keywords=tuple(keywords.extract(text, lang, [e.name for e in found_entities])),
        candidates=tuple(candidates),
        truncated=truncated,
        engine=engine.name,
        seconds=time.perf_counter() - started,
    )


def try_enrich(
    article: CanonicalArticle, engine: Engine, max_chars: int = MAX_CHARS, known: KnownNames | None = None
) -> Enrichment | None:
    """`enrich`, or None (logged) if it fails: enrichment is extra, and must never cost an article."""
    try:
        return enrich(article, engine, max_chars, known)
    except Exception:
        log.exception("enrich: could not enrich %r", (article.title or "")[:80])
        return None


def source_key(article: CanonicalArticle, engine: Engine) -> str:
    """What an enrichment is made from: the text, the rules' version and the engine. Same key, same result."""
    parts = [VERSION, engine.name, article.title, article.dek, list(article.body), article.language]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


_OPENING_MARKS = "“‘\"'«„"


def _sentences(docs: list[Doc]) -> list[keypoints.Sentence]:
    """Sentences with their place in the body. spaCy leaves a quotation's opening mark at the end of the
    sentence before it (`cities. “Let them …`): it is moved to the sentence it opens."""
    out: list[keypoints.Sentence] = []
    for number, doc in enumerate(docs):
        text = doc.text
        carry: int | None = None
        for sent in doc.sents:
            start = sent.start_char if carry is None else carry
            end = sent.end_char
            carry = None
            stripped = text[start:end].rstrip()
            if len(stripped) > 1 and stripped[-1] in _OPENING_MARKS and stripped[-2].isspace():
                carry = start + len(stripped) - 1
                end = carry
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                out.append(keypoints.Sentence(text[start:end], TextSpan(number, start, end)))
    return out


def _reads_names(engine: Engine, lang: str | None) -> bool:
    """The rules know English; a statistical model knows the language it was trained on."""
    return engine.statistical or lang in (None, "en")


def _analyse(docs: list[Doc], engine: Engine, gaz: Gazetteer, lang: str | None) -> list[quotes.Paragraph]:
    out: list[quotes.Paragraph] = []
    if not _reads_names(engine, lang):  # no names and no quotations to find: nothing to read them for
        return [quotes.Paragraph(index, doc.text, [], [], []) for index, doc in enumerate(docs)]
    for index, doc in enumerate(docs):
        ws = names.words(doc)
        text = doc.text
        spans = marks.scan(text)
        found: list[names.Mention]
        if engine.statistical:
            found = names.from_entities(index, doc, ws, gaz)
        else:
            found = names.find(index, ws, text, gaz)
        for mention in found:
            mention.in_quote = any(q.start <= mention.start < q.end for q in spans)
        out.append(quotes.Paragraph(index, text, ws, spans, found))
    return out


def _entity(cluster: entity_merge.Cluster) -> Entity:
    return Entity(
        name=cluster.name,
        kind=cluster.kind,
        mentions=tuple((m.text, TextSpan(m.paragraph, m.start, m.end)) for m in cluster.mentions),
    )


def story_key_points(candidates: Sequence[Sequence[KeyPoint]], k: int = 5) -> list[tuple[int, KeyPoint]]:
    """A story's key points from its articles' candidate sentences: (index of the article, point)."""
    return keypoints.across(candidates, k)


def story_keywords(keyword_lists: Sequence[Sequence[str]]) -> list[str]:
    return keywords.across(keyword_lists)


__all__ = [
    "MAX_CHARS",
    "RULES",
    "VERSION",
    "Engine",
    "KnownNames",
    "enrich",
    "load_engine",
    "reading_minutes",
    "source_key",
    "story_key_points",
    "story_keywords",
    "try_enrich",
]
