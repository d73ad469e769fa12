"""The shared types that flow between the stages: plain, immutable data.

document ──extract──▶ copies ──fold──▶ article ──cluster──▶ story (see DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from operator import ge


class DocumentKind(StrEnum):
    HTML = "html"
    TEXT = "text"
    RECORD = "record"  # one already-extracted article (a JSON record): no extraction


@dataclass(frozen=True, slots=True)
class Document:
    """One thing taken in, kept as received."""

    content: bytes
    sha256: str
    kind: DocumentKind
    text: str
    encoding: str
    fetched_at: datetime
    site: str | None = None
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Copy:
    """One appearance of an article inside a document, as extracted."""

    title: str | None
    body: tuple[str, ...]
    dek: str | None = None
    author: str | None = None
    publisher: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    # What extraction itself removed from this copy (e.g. "teaser inserted").
    changes: tuple[str, ...] = ()
    # The copy ends with a pointer to the rest of the article elsewhere.
    truncated: bool = False
    # The id the copy had where it came from (a JSON record's `id`), kept for export.
    ref: str | None = None
    # What each body paragraph is, when the source shows it (HTML): "p", "h2".."h6", "li", "quote", "pre",
    # "cell", "caption". Empty: all plain paragraphs. Parallel to `body`.
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredCopy:
    """A copy as the store keeps it: the extracted copy plus where it came from."""

    id: int
    copy: Copy
    site: str | None
    url: str | None
    path: str | None
    fetched_at: datetime
    document_sha256: str


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What fold needs to find a copy's article: hashes of word shingles."""

    shingles: tuple[int, ...]  # sorted, unique
    anchors: tuple[int, ...]  # a content-defined sample of `shingles`, the index keys


@dataclass(frozen=True, slots=True)
class CanonicalArticle:
    """The folded article built from all its copies."""

    title: str | None
    dek: str | None
    body: tuple[str, ...]
    publisher: str | None
    author: str | None
    published_at: datetime | None
    language: str | None
    image: str | None = None
    # copy id -> what that copy changed relative to the canonical text
    copy_changes: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Source:
    """Something Tidings reads from (a feed), and where fetching it stands."""

    id: int
    url: str
    title: str | None
    site_url: str | None
    category: str | None
    added_at: datetime
    status: str  # new, ok, error, gone
    last_result: str | None = None  # one line on the last fetch
    last_error: str | None = None
    last_http_status: int | None = None
    failures: int = 0  # in a row
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_change_at: datetime | None = None
    next_fetch_at: datetime | None = None  # None: never again
    interval_seconds: float | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    hub: str | None = None
    # Filled by the listing query only.
    entry_count: int = 0
    article_count: int = 0


# enrich ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TextSpan:
    """Where something stands in an article's body: paragraph index and character offsets in it."""

    paragraph: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """One extractive sentence that carries the article, with its place in the body."""

    text: str
    span: TextSpan
    score: float


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, place or organisation, with every mention of it that the text makes."""

    name: str  # the fullest form the text gives ("Alexander Lukashenko")
    kind: str  # "PERSON", "PLACE" or "ORG"
    mentions: tuple[tuple[str, TextSpan], ...]  # (surface form, where)


@dataclass(frozen=True, slots=True)
class Quote:
    """Words someone said or wrote, as the article reports them."""

    text: str
    kind: str  # "direct" (in quote marks) or "indirect" (reported speech)
    span: TextSpan
    speaker: str | None  # the speaker's fullest name in the text, None when the text names nobody
    speaker_kind: str | None = None  # the speaker entity's kind
    speaker_text: str | None = None  # how the text refers to the speaker here ("he", "the Belarusian leader")
    cue: str | None = None  # the reporting verb ("stressed", "according to")
    nested: bool = False  # a quote inside another quote


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What the enrich stage works out about one article, all of it from the article's own text."""

    language: str | None
    reading_minutes: int
    key_points: tuple[KeyPoint, ...]
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]
    keywords: tuple[str, ...]
    # The article's best sentences beyond its key points: what a story's key points are chosen from.
    candidates: tuple[KeyPoint, ...] = ()
    truncated: bool = False  # the text was longer than enrich looks at
    engine: str = "rules"  # "rules", or the spaCy model that found the entities
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """What clustering needs to know of a candidate story besides its centroid."""

    size: int  # articles
    first_seen: datetime | None  # earliest and latest publication time of its dated articles
    last_seen: datetime | None


# A story index lists a story under only its centroid's strongest terms (the lookup finds candidates by
# what a story is about, not by its background words); candidates are then scored on their whole centroid.
STORY_LOOKUP_TERMS = 20


def story_lookup_terms(centroid: Mapping[str, float]) -> list[str]:
    """The terms a story index lists a story under: its centroid's `STORY_LOOKUP_TERMS` strongest (ties:
    the first alphabetically)."""
    keep = STORY_LOOKUP_TERMS
    if len(centroid) <= keep:
        return list(centroid)
    weights = list(centroid.values())
    if all(map(ge, weights, weights[1:])):  # already heaviest first (clustering's centroids): no sort
        ranked = list(centroid)
    else:
        ranked = sorted(centroid, key=centroid.__getitem__, reverse=True)
    cut = centroid[ranked[keep - 1]]
    if centroid[ranked[keep]] == cut:  # equal weights straddle the cut: the first terms alphabetically stay
        ranked = [t for t in ranked if centroid[t] > cut] + sorted(t for t in ranked if centroid[t] == cut)
    return ranked[:keep]
