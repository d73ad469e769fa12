"""Stories across transactions and workers: each `Store` keeps what clustering reads in process (the
story cache), so these check that it never drifts from the store: two workers on one database place
articles as one would, a rolled-back transaction leaves nothing of itself in the cache, and `ingest
--format jsonl` batches records into transactions yet loses only the record that fails."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.test_cluster import load_events, replay
from tidings import pipeline, settings
from tidings.records import Record, read_records
from tidings.store import Store, queries


def _records(path: Path, records: list[dict[str, Any]], conf: settings.Settings) -> list[Record]:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = []
    for item in read_records(path, conf.max_document_bytes):
        assert isinstance(item, Record)
        out.append(item)
    return out


def _partition_of(store: Store) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for article in queries.export_articles(store):
        for copy in article["copies"]:
            groups.setdefault(article["story_id"], set()).add(copy["ref"])
    return {frozenset(g) for g in groups.values()}


def _partition(labels: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for item, label in labels.items():
        groups.setdefault(label, set()).add(item)
    return {frozenset(g) for g in groups.values()}


def _store(url: str) -> Store:
    store = Store(url)
    store.migrate()
    return store


def test_two_workers_place_articles_as_one_does(db_url: str, tmp_path: Path) -> None:
    """Two stores on one database take turns: each catches up with the stories the other made or changed
    (the story clock), so the stories are those one worker makes."""
    events = load_events()
    random.Random(5).shuffle(events)
    conf = settings.load({"db": db_url}, environ={})
    items = _records(tmp_path / "events.jsonl", events, conf)
    first, second = _store(db_url), _store(db_url)
    for n, item in enumerate(items):
        pipeline.ingest_record(first if n % 2 == 0 else second, item, conf)
    assert _partition_of(first) == _partition(replay(events))
    assert first.story_cache.clock is not None
    assert second.story_cache.clock is not None
    assert abs(first.story_cache.clock - second.story_cache.clock) == 1  # each caught up at its last turn
    first.close()
    second.close()


def test_a_rolled_back_transaction_leaves_nothing_in_the_cache(db_url: str, tmp_path: Path) -> None:
    events = load_events()
    conf = settings.load({"db": db_url}, environ={})
    items = _records(tmp_path / "events.jsonl", events, conf)
    store = _store(db_url)
    for item in items[:10]:
        pipeline.ingest_record(store, item, conf)
    held = {s: (ids.tolist(), w.tolist()) for s, (ids, w) in store.story_cache.centroids.items()}
    assert held
    changed: list[bool] = []

    def fails_after_clustering() -> None:
        with store.begin() as tx:
            pipeline._ingest_record(tx, items[10], conf)
            now = {s: (ids.tolist(), w.tolist()) for s, (ids, w) in store.story_cache.centroids.items()}
            changed.append(now != held)
            raise RuntimeError("after clustering")

    with pytest.raises(RuntimeError):
        fails_after_clustering()
    assert changed == [True]  # the cache held the transaction's own placement
    assert store.story_cache.clock is None  # dropped: read again from the store
    assert not store.story_cache.centroids
    for item in items[10:]:
        pipeline.ingest_record(store, item, conf)
    assert _partition_of(store) == _partition(replay(events))
    store.close()


def test_a_failing_record_costs_only_itself_in_a_batch(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records go in batches; a record that breaks inside the pipeline rolls its batch back, and the
    batch's other records then go in one by one: only the broken one is lost, reported in file order."""
    events = load_events()
    conf = settings.load({"db": db_url, "ingest_batch": 6}, environ={})
    path = tmp_path / "events.jsonl"
    lines = [json.dumps(r) for r in events]
    lines.insert(4, "{not json")  # rejected by the reader: never reaches the store
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    broken = events[7]["title"]
    real = pipeline._fold_and_cluster

    def breaks(tx: Any, article_id: int, conf_: settings.Settings, times: Any) -> None:
        real(tx, article_id, conf_, times)
        if tx.stored_article(article_id).title == broken:
            raise ValueError("a bug\nsecond line")

    monkeypatch.setattr(pipeline, "_fold_and_cluster", breaks)
    store = _store(db_url)
    seen: list[tuple[str, str | None]] = []
    report = pipeline.ingest_records(store, [path], conf, on_record=lambda n, e: seen.append((n, e)))
    assert [n for n, _ in seen] == [f"{path}:{k}" for k in range(1, len(lines) + 1)]
    assert seen[4][1] is not None  # the line that is not JSON
    assert seen[8][1] == "internal error (ValueError: a bug)"
    assert all(e is None for k, (_, e) in enumerate(seen) if k not in (4, 8))
    assert report.documents == len(events) - 1
    assert len(report.failures) == 2
    kept = [r for r in events if r["title"] != broken]
    assert _partition_of(store) == _partition(replay(kept))  # the rest clustered as if it never came
    store.close()
