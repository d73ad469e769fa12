"""The one orchestrator: a document through extract, fold and cluster, saved by the store.

Each document is one transaction: it goes in whole or not at all, and a document already stored
(same bytes) changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from tidings import cluster, enrich, extract, fold, records
from tidings.fetch import DocumentError, iter_files, read_document
from tidings.models import CanonicalArticle, Copy, Document
from tidings.settings import Settings
from tidings.store import Store, Transaction
from tidings.text import error_line


@dataclass(slots=True)
class DocumentOutcome:
    duplicate: bool = False
    copies: int = 0
    new_articles: int = 0
    folded: int = 0


@dataclass(slots=True)
class IngestReport:
    documents: int = 0
    duplicates: int = 0
    copies: int = 0
    new_articles: int = 0
    folded: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def add(self, outcome: DocumentOutcome) -> None:
        self.documents += 1
        self.duplicates += outcome.duplicate
        self.copies += outcome.copies
        self.new_articles += outcome.new_articles
        self.folded += outcome.folded


STAGES = ("extract", "fold", "enrich", "cluster")


@dataclass(slots=True)
class StageTimes:
    """Seconds spent in each stage, summed over documents (`tidings bench ingest`). Each stage's own reads
    and writes count in it (fold's index, enrich's save); what is left of a document's time is the store's:
    the document and its copies written, and the commit."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    clock: Callable[[], float] = time.perf_counter  # or time.process_time, for CPU time on a busy machine

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = self.clock()
        try:
            yield
        finally:
            self.seconds[name] += self.clock() - start


def ingest_document(
    store: Store, document: Document, settings: Settings, times: StageTimes | None = None
) -> DocumentOutcome:
    clock = times or StageTimes()
    with store.begin() as tx:
        tx.take_writer_turn()
        if tx.has_document(document.sha256):
            return DocumentOutcome(duplicate=True)
        with clock.stage("extract"):
            reading = extract.Reading(document)
            template = _site_template(tx, document, reading.lines())
            copies = reading.copies(template)
        document_id = tx.add_document(document)
        outcome = DocumentOutcome(copies=len(copies))
        with clock.stage("fold"):
            article_ids = _place(tx, document_id, copies, settings, outcome)
        for article_id in article_ids:
            _fold_and_cluster(tx, article_id, settings, clock)
        return outcome


def ingest_record(store: Store, record: records.Record, settings: Settings) -> DocumentOutcome:
    """An already-extracted article (a JSON record) through fold and cluster, as one transaction."""
    with store.begin() as tx:
        tx.take_writer_turn()
        return _ingest_record(tx, record, settings)


def _ingest_record(tx: Transaction, record: records.Record, settings: Settings) -> DocumentOutcome:
    if tx.has_document(record.document.sha256):
        return DocumentOutcome(duplicate=True)
    document_id = tx.add_document(record.document)
    outcome = DocumentOutcome(copies=1)
    for article_id in _place(tx, document_id, [record.copy], settings, outcome):
        _fold_and_cluster(tx, article_id, settings, StageTimes())
    return outcome


BATCH_BYTES = 32_000_000  # records held for one transaction, at most (besides the last one read)


def ingest_records(
    store: Store,
    paths: Iterable[Path],
    settings: Settings,
    *,
    site: str | None = None,
    fetched_at: datetime | None = None,
    on_record: Callable[[str, str | None], None] | None = None,
) -> IngestReport:
    """Every record of JSON Lines files; a bad record is reported (`FILE:LINE`) and the rest go on.

    Records go in `settings.ingest_batch` to a transaction (clustering writes what it changed once per
    transaction), fewer when they hold more than BATCH_BYTES together. A record the reader rejects never
    reaches the store; a record that fails further on rolls its batch back, and the batch's records then
    go in one transaction each, so only that record is lost.
    Records are reported in file order once their batch is stored."""
    report = IngestReport()
    batch: list[tuple[str, records.Record | records.RecordError]] = []
    held = 0

    def finish(name: str, error: str | None, outcome: DocumentOutcome | None) -> None:
        if outcome is not None:
            report.add(outcome)
        if error is not None:
            report.failures.append((name, error))
        if on_record is not None:
            on_record(name, error)

    def one(name: str, item: records.Record | records.RecordError) -> None:
        if isinstance(item, records.RecordError):
            finish(name, item.reason, None)
            return
        try:
            finish(name, None, ingest_record(store, item, settings))
        except Exception as exc:  # a bug must not cost the rest; the transaction rolled back
            finish(name, f"internal error ({error_line(exc)})", None)

    def run() -> None:
        good = [item for _, item in batch if isinstance(item, records.Record)]
        if len(good) <= 1:
            for name, item in batch:
                one(name, item)
            batch.clear()
            return
        try:
            with store.begin() as tx:
                tx.take_writer_turn()
                done = iter([_ingest_record(tx, item, settings) for item in good])
        except Exception:  # one record failed and the batch rolled back: each again on its own
            for name, item in batch:
                one(name, item)
        else:
            for name, item in batch:
                if isinstance(item, records.RecordError):
                    finish(name, item.reason, None)
                else:
                    finish(name, None, next(done))
        batch.clear()

    for path in paths:
        for item in records.read_records(path, settings.max_document_bytes, site=site, fetched_at=fetched_at):
            batch.append((f"{path}:{item.line}" if item.line else str(path), item))
            held += len(item.document.content) if isinstance(item, records.Record) else 0
            if len(batch) >= max(settings.ingest_batch, 1) or held > BATCH_BYTES:
                run()
                held = 0
    if batch:
        run()
    return report


def fold_rules(settings: Settings) -> fold.Rules:
    return fold.Rules(
        shingle_words=settings.fold_shingle_words,
        anchor_rate=settings.fold_anchor_rate,
        min_containment=settings.fold_min_containment,
    )


def _place(
    tx: Transaction, document_id: int, copies: list[Copy], settings: Settings, outcome: DocumentOutcome
) -> list[int]:
    """Store the copies and put each into its article (joining articles it shows to be one); the
    articles to rebuild, in order."""
    rules = fold_rules(settings)
    if tx.fold_needs_reindex():
        reindex_fold(tx, rules)
    copy_ids = [tx.add_copy(document_id, position, copy, b"") for position, copy in enumerate(copies)]
    placements = fold.place(fold.fingerprints(copies, rules), copy_ids, tx, rules)
    touched: dict[int, None] = {}
    for copy_id, placement in zip(copy_ids, placements, strict=True):
        tx.attach_copy(copy_id, placement.article_id)
        outcome.new_articles += placement.new
        outcome.folded += not placement.new
        touched[placement.article_id] = None
    return list(touched)


def reindex_fold(tx: Transaction, rules: fold.Rules, batch: int = 500) -> None:
    """Rebuild the fold index from the stored copies' text, keeping every copy in its article."""
    tx.fold_clear()
    for chunk in tx.fold_stored_copies(batch):
        fps = fold.fingerprints([copy for _, _, copy in chunk], rules)
        signatures = [
            (c, a, fp.key_count, fold.shingle_count(fp), fold.pack(fp.words))
            for (c, a, _), fp in zip(chunk, fps, strict=True)
        ]
        keys = np.array(
            sorted({(k, a) for (_, a, _), fp in zip(chunk, fps, strict=True) for k in fp.keys.tolist()}),
            dtype=np.int64,
        ).reshape(-1, 2)
        tx.fold_record(signatures, keys)


def _fold_and_cluster(tx: Transaction, article_id: int, settings: Settings, clock: StageTimes) -> None:
    with clock.stage("fold"):
        article = _fold(tx, article_id)
    with clock.stage("enrich"):
        _enrich(tx, article_id, article, settings)
    with clock.stage("cluster"):
        _cluster(tx, article_id, article, settings)


def _fold(tx: Transaction, article_id: int) -> CanonicalArticle:
    """Rebuild the canonical article from all its copies and save it."""
    article = fold.build(tx.article_copies(article_id))
    tx.save_article(article_id, article)
    return article


def _enrich(tx: Transaction, article_id: int, article: CanonicalArticle, settings: Settings) -> bool:
    """Key points, entities, quotes and keywords, made again only when the canonical text changed."""
    engine = enrich.load_engine(settings.enrich_spacy_model)
    source_key = enrich.source_key(article, engine)
    stored_key = tx.enrichment_key(article_id)
    if stored_key == source_key:
        return False
    result = enrich.try_enrich(article, engine, settings.enrich_max_chars, known=tx)
    if result is not None:
        tx.save_enrichment(article_id, result, source_key, first=stored_key is None)
    return result is not None


def enrich_articles(store: Store, settings: Settings, article_ids: Iterable[int]) -> tuple[int, float]:
    """Enrich stored articles again where their text, the rules or the engine changed (`tidings enrich`):
    (articles enriched, seconds spent enriching)."""
    done, seconds = 0, 0.0
    for article_id in article_ids:
        with store.begin() as tx:
            article = tx.stored_article(article_id)
            if article is not None and _enrich(tx, article_id, article, settings):
                done += 1
                seconds += tx.enrichment_seconds(article_id)
    return done, seconds


def _cluster(tx: Transaction, article_id: int, article: CanonicalArticle, settings: Settings) -> None:
    """Put a new article into the story it belongs to, or start one (merging stories it shows to be one).
    An article already in a story stays there; a changed headline follows into the story's."""
    if tx.article_story(article_id) is not None:
        tx.story_headline_changed(article_id, article.title)
        return
    cluster_article(tx, article_id, article, story_params(settings))


def cluster_article(
    tx: Transaction, article_id: int, article: CanonicalArticle, params: cluster.Params
) -> cluster.Placement:
    """The cluster step alone: place the article, then record it in its story."""
    placement = cluster.place(cluster.article_terms(article), article.published_at, tx, params)
    tx.set_article_story(article_id, placement.story_id, None if placement.new else placement.score)
    return placement


def story_params(settings: Settings) -> cluster.Params:
    return cluster.Params(
        join=settings.story_min_similarity,
        merge=settings.story_merge_similarity,
        window_days=settings.story_window_days,
    )


def _site_template(tx: Transaction, document: Document, page_lines: set[str]) -> extract.SiteTemplate:
    """Count this page's lines for its site, then return what the site's pages so far have in common.

    A page with neither a site nor a URL learns nothing and is read without a template: pooling unrelated
    pages under one made-up site would make the lines they share (the headline of an article two sites
    carried) look like a template's chrome."""
    site = document.site or _host(document.url)
    if site is None:
        return extract.SiteTemplate()
    lines = {line: extract.head_key(line) for line in page_lines}
    tx.observe_site_lines(site, lines)
    heads = sorted({h for h in lines.values() if h})
    recurring, groups = tx.site_line_stats(site, heads)
    return extract.SiteTemplate(lines=frozenset(recurring), shapes=extract.learn_shapes(groups))


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


def sample_documents(settings: Settings) -> list[Document]:
    """The bundled sample (see sample/manifest.json), each page with its site and fetch time."""
    manifest = json.loads((SAMPLE_DIR / "manifest.json").read_text(encoding="utf-8"))
    return [
        read_document(
            SAMPLE_DIR / entry["file"],
            max_bytes=settings.max_document_bytes,
            site=entry.get("site"),
            url=entry.get("url"),
            fetched_at=datetime.fromisoformat(entry["fetched_at"]),
        )
        for entry in manifest["documents"]
    ]


def ingest_sample(store: Store, settings: Settings) -> IngestReport:
    report = IngestReport()
    for document in sample_documents(settings):
        report.add(ingest_document(store, document, settings))
    return report


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    settings: Settings,
    *,
    site: str | None = None,
    url: str | None = None,
    fetched_at: datetime | None = None,
    on_file: Callable[[str, str | None], None] | None = None,
) -> IngestReport:
    """Every file under `paths` through the pipeline; a file that fails is reported and skipped."""
    report = IngestReport()
    for entry in iter_files(list(paths)):
        name = str(entry.path)
        error = entry.error
        if error is None:
            try:
                document = read_document(
                    entry.path,
                    max_bytes=settings.max_document_bytes,
                    site=site,
                    url=url,
                    fetched_at=fetched_at,
                )
                report.add(ingest_document(store, document, settings))
            except DocumentError as exc:
                error = str(exc)
            except Exception as exc:  # a bug must not cost the rest of the batch; the transaction rolled back
                error = f"internal error ({error_line(exc)})"
        if error is not None:
            report.failures.append((name, error))
        if on_file is not None:
            on_file(name, error)
    return report
