"""Stories through the real store and the CLI: `tidings ingest --format jsonl` (good, bad, huge, hostile
and empty input), `tidings stories`, the export's `story_id` and `ref`, the SQL story index against the
in-memory one, and the seed pages as four stories."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import DATA, CliRun, export
from tests.test_cluster import load_events, replay
from tests.test_seeds import EXPECTED, ORDERS, ingest_seeds
from tidings import pipeline, settings
from tidings.cli import main
from tidings.records import Record, read_records
from tidings.store import Store, queries
from tidings.store import stories as story_queries

EVENTS = DATA / "stories" / "events.jsonl"


def write(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def record(
    rid: str, title: str = "Bridge reopens", text: str = "The Harbour bridge reopened on Monday.", **more: Any
) -> str:
    return json.dumps({"id": rid, "title": title, "text": text, **more})


def by_ref(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {copy["ref"]: article for article in articles for copy in article["copies"] if copy["ref"]}


def test_records_go_in_with_their_ref_and_story(tidings: CliRun) -> None:
    result = tidings("ingest", "--format", "jsonl", EVENTS)
    assert result.exit_code == 0, result.output
    assert "20 records (0 already stored)" in result.stdout
    articles = by_ref(export(tidings))
    assert len(articles) == 20
    quake = articles["quake-a1"]
    assert quake["title"] == "Magnitude 6.1 earthquake strikes eastern Turkey"
    assert quake["publisher"] == "Anadolu Wire"
    assert quake["published_at"] == "2024-03-05T08:00:00+00:00"
    assert quake["body"][0].startswith("A magnitude 6.1 earthquake struck")
    assert articles["quake-a2"]["story_id"] == quake["story_id"] is not None
    assert articles["quake-b1"]["story_id"] != quake["story_id"]
    again = tidings("ingest", "--format", "jsonl", EVENTS)
    assert "20 records (20 already stored)" in again.stdout
    assert by_ref(export(tidings)) == articles  # the same records twice change nothing


def test_bad_records_each_get_one_line_and_the_rest_go_in(tidings: CliRun, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines: list[str | bytes] = [
        record("good-1"),
        "{not json",
        "[1, 2]",
        json.dumps({"title": "No id", "text": "Body."}),
        json.dumps({"id": "x", "text": "No title."}),
        json.dumps({"id": "y", "title": "No text"}),
        json.dumps({"id": "z", "title": 5, "text": "Title of the wrong type."}),
        record("bad-date", published_at="yesterday-ish"),
        b"\xff\xfe not utf-8",
        deep,
        "",
        "   ",
        record(
            "good-2", title="Ferry strike ends", text="Ferry crews in Port Halden returned to work on Friday."
        ),
    ]
    result = tidings("ingest", "--format", "jsonl", write(tmp_path / "mixed.jsonl", lines))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("tidings: ")]
    assert [e.split(":")[2] for e in errors] == ["2", "3", "4", "5", "6", "7", "8", "9", "10"]
    assert all(len(e) < 200 for e in errors)
    assert "not JSON" in errors[0]
    assert "`title` missing" in errors[3]
    assert "ISO 8601" in errors[6]
    assert "2 records (0 already stored)" in result.stdout
    assert sorted(by_ref(export(tidings))) == ["good-1", "good-2"]


def test_a_huge_line_is_skipped_without_holding_it(
    tidings: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_MAX_DOCUMENT_BYTES", "10000")
    huge = record("huge", text="word " * 200_000)
    path = write(
        tmp_path / "huge.jsonl", [record("before"), huge, record("after", title="Ferry strike ends")]
    )
    result = tidings("ingest", "--format", "jsonl", path)
    assert result.exit_code == 1
    assert f"{path}:2: record longer than 10000 bytes" in result.stderr
    assert sorted(by_ref(export(tidings))) == ["after", "before"]


def test_empty_missing_and_gzipped_files(tidings: CliRun, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.jsonl", [])
    result = tidings("ingest", "--format", "jsonl", empty)
    assert result.exit_code == 0
    assert "0 records" in result.stdout
    missing = tidings("ingest", "--format", "jsonl", tmp_path / "nope.jsonl")
    assert missing.exit_code == 1
    assert "nope.jsonl" in missing.stderr
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress(EVENTS.read_bytes()))
    assert tidings("ingest", "--format", "jsonl", packed).exit_code == 0
    assert len(by_ref(export(tidings))) == 20
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(EVENTS.read_bytes())[:300])
    result = tidings("ingest", "--format", "jsonl", broken)
    assert result.exit_code == 1
    assert "broken.jsonl.gz" in result.stderr


def test_bad_input_damages_nothing_stored(tidings: CliRun, tmp_path: Path) -> None:
    assert tidings("ingest", "--format", "jsonl", EVENTS).exit_code == 0
    before = export(tidings)
    bad = write(tmp_path / "bad.jsonl", ["{", "[]", json.dumps({"id": "q", "title": "", "text": ""})])
    assert tidings("ingest", "--format", "jsonl", bad).exit_code == 1
    assert export(tidings) == before


def test_stories_lists_newest_first_with_articles(tidings: CliRun) -> None:
    assert tidings("ingest", "--format", "jsonl", EVENTS).exit_code == 0
    result = tidings("stories", "--format", "jsonl", "--limit", "100")
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["last_seen"] for s in listed] == sorted((s["last_seen"] for s in listed), reverse=True)
    assert sum(s["article_count"] for s in listed) == 20
    quake = next(s for s in listed if "Elazig" in " ".join(a["title"] for a in s["articles"]))
    assert quake["article_count"] == 3 == len(quake["articles"])
    assert quake["lead_publisher"] == "Anadolu Wire"  # the earliest article's publisher
    assert quake["publisher_count"] == 3
    assert {p["publisher"] for p in quake["publishers"]} == {
        "Anadolu Wire",
        "Daily Courier",
        "Global Times Review",
    }
    assert quake["first_seen"].startswith("2024-03-05")
    assert quake["last_seen"].startswith("2024-03-06")
    assert "elazig" in quake["key_terms"]
    assert quake["title"] in {a["title"] for a in quake["articles"]}
    text = tidings("stories", "--limit", "2")
    assert text.exit_code == 0
    assert text.stdout.count("story ") == 2
    one = tidings("stories", "--id", str(quake["id"]), "--format", "jsonl")
    assert json.loads(one.stdout)["id"] == quake["id"]
    assert tidings("stories", "--id", "999999").exit_code == 1
    assert tidings("stories", "--limit", "0").exit_code == 2


def test_sql_index_places_articles_as_the_memory_index_does(db_url: str) -> None:
    """The store's SQL and the in-memory index run the same clustering: the same partition, any order."""
    records = load_events()
    random.Random(3).shuffle(records)
    conf = settings.load({"db": db_url}, environ={})
    store = Store(db_url)
    store.migrate()
    path = Path(db_url.removeprefix("sqlite:///")).with_name("order.jsonl")
    write(path, [json.dumps(r) for r in records])
    for item in read_records(path, conf.max_document_bytes):
        assert isinstance(item, Record)
        pipeline.ingest_record(store, item, conf)
    sql = {ref: a["story_id"] for ref, a in by_ref(list(_export(store))).items()}
    memory = replay(records)
    assert _partition(sql) == _partition(memory)
    related = story_queries.list_stories(store, limit=100)
    assert any(s["related"] for s in related)
    store.close()


@pytest.mark.parametrize("read", ["whole", "term by term"])
def test_a_worker_started_on_a_stored_vocabulary_places_as_the_memory_index_does(
    db_url: str, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    """A second worker (a new store object) reads the vocabulary and stories the first one stored, whole
    or term by term (a vocabulary over `VOCABULARY_HELD` terms), its term ids' arrays growing from a few
    as terms come, and places the rest of the articles as one worker would have."""
    from tidings.store import story_index

    monkeypatch.setattr(story_index, "TERMS_AT_FIRST", 8)
    records = load_events()
    random.Random(5).shuffle(records)
    conf = settings.load({"db": db_url}, environ={})
    path = Path(db_url.removeprefix("sqlite:///")).with_name("order.jsonl")
    write(path, [json.dumps(r) for r in records])
    items = [item for item in read_records(path, conf.max_document_bytes) if isinstance(item, Record)]
    half = len(items) // 2
    first = Store(db_url)
    first.migrate()
    for item in items[:half]:
        pipeline.ingest_record(first, item, conf)
    first.close()
    if read == "term by term":
        monkeypatch.setattr(story_index, "VOCABULARY_HELD", 0)
    second = Store(db_url)
    for item in items[half:]:
        pipeline.ingest_record(second, item, conf)
    assert second.story_cache.whole == (read == "whole")
    assert len(second.story_cache.terms.df) > 8
    sql = {ref: a["story_id"] for ref, a in by_ref(list(_export(second))).items()}
    assert _partition(sql) == _partition(replay(records))
    second.close()


def _export(store: Store) -> list[dict[str, Any]]:
    return list(queries.export_articles(store))


def _partition(labels: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for item, label in labels.items():
        groups.setdefault(label, set()).add(item)
    return {frozenset(g) for g in groups.values()}


def test_seed_pages_stay_four_stories(tidings: CliRun) -> None:
    for order in ORDERS.values():
        articles = ingest_seeds(tidings, order)  # the second order changes nothing: still four
        assert len(articles) == len(EXPECTED["articles"]) == 4
        assert len({a["story_id"] for a in articles}) == 4


def test_the_bundled_sample_keeps_unrelated_articles_apart(db_url: str) -> None:
    result = CliRunner().invoke(main, ["sample", "--db", db_url], catch_exceptions=False)
    assert result.exit_code == 0
    store = Store(db_url)
    articles = _export(store)
    store.close()
    stories: dict[int, list[str]] = {}
    for article in articles:
        stories.setdefault(article["story_id"], []).append(article["title"])
    # The sample's one event told by two publishers (the Eastmoor derailment) is one story; all else apart.
    together = [titles for titles in stories.values() if len(titles) > 1]
    assert len(together) == 1
    assert all("Eastmoor" in t for t in together[0])
    assert len(stories) == len(articles) - 1


def test_centroids_move_between_story_terms_and_stories_columns(db_url: str) -> None:
    """0009_stories_centroid carries each story's sums from `story_terms` rows into `stories.centroid`,
    and back on downgrade."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from tidings.store import db as store_db

    store = Store(db_url)
    store.migrate()
    config = Config()
    config.set_main_option("script_location", str(store_db._MIGRATIONS))
    with store.engine.begin() as c:
        c.execute(text("INSERT INTO stories (id, article_count, publisher_count) VALUES (7, 2, 1)"))
        c.execute(text("""UPDATE stories SET centroid = '{"quake": 1.5, "sonoma": 0.25}' WHERE id = 7"""))
        config.attributes["connection"] = c
        command.downgrade(config, "0008_stories_clock")
    with store.engine.begin() as c:
        rows = c.execute(text("SELECT story_id, term, weight FROM story_terms ORDER BY term")).fetchall()
        assert [tuple(r) for r in rows] == [(7, "quake", 1.5), (7, "sonoma", 0.25)]
        c.execute(text("INSERT INTO story_terms (story_id, term, weight) VALUES (7, 'geysers', 0.5)"))
    store.migrate()
    with store.engine.begin() as c:
        found = c.execute(text("SELECT centroid FROM stories WHERE id = 7")).scalar_one()
    assert json.loads(found) == {"quake": 1.5, "sonoma": 0.25, "geysers": 0.5}
    assert story_queries.list_stories(store, limit=5)[0]["key_terms"][:3] == ["quake", "geysers", "sonoma"]
    store.close()


@pytest.mark.parametrize("apart", [False, True], ids=["one story", "two stories"])
def test_articles_a_fold_join_absorbs_leave_their_stories(db_url: str, tmp_path: Path, apart: bool) -> None:
    """The opening of an article and a copy that starts further in are two articles until the full text
    comes and joins them (the older kept). The absorbed article leaves its story: a story it shared
    with the kept one counts one article and takes the kept one's headline; a story of its own (its copy
    published a month later) becomes the kept article's story, as merged stories do. No story counts an
    article that is gone or is headed by one (on PostgreSQL too: `test_postgres` runs it)."""
    from tests.test_fold_index import BODY

    late = "2026-06-20T09:00:00+00:00" if apart else "2026-05-01T09:00:00+00:00"
    records = [
        ("opening", "Port Ellery to dredge its northern channel", BODY[:4], "2026-05-01T08:00:00+00:00"),
        ("middle", "A levy on ships will pay for dredging", BODY[3:], late),
        ("full", "Port Ellery to dredge its northern channel", BODY, "2026-05-01T10:00:00+00:00"),
    ]
    path = write(
        tmp_path / "join.jsonl",
        [
            record(r, title, "\n\n".join(body), site=f"{r}.example", published_at=when)
            for r, title, body, when in records
        ],
    )
    conf = settings.load({"db": db_url}, environ={})
    store = Store(db_url)
    store.migrate()
    seen = []
    for item in read_records(path, conf.max_document_bytes):
        assert isinstance(item, Record)
        pipeline.ingest_record(store, item, conf)
        seen.append(len(story_queries.list_stories(store)))
    assert seen[1] == (2 if apart else 1)  # before the join: the copy further in is its own article
    articles = by_ref(_export(store))
    kept = articles["opening"]
    assert articles["middle"]["id"] == articles["full"]["id"] == kept["id"]  # joined, the older kept
    listed = story_queries.list_stories(store)
    assert [(s["id"], s["article_count"]) for s in listed] == [(kept["story_id"], 1)]
    assert [a["id"] for a in listed[0]["articles"]] == [kept["id"]]
    assert listed[0]["title"] == kept["title"]
    with store.engine.connect() as c:
        rows = c.exec_driver_sql(
            "SELECT id, article_count, headline_article_id, merged_into FROM stories"
        ).all()
    by_id = {int(r[0]): tuple(r[1:]) for r in rows}
    assert by_id.pop(kept["story_id"]) == (1, kept["id"], None)
    if apart:
        ((other, left),) = by_id.items()
        assert left == (0, None, kept["story_id"])  # it became the kept article's story
        became = story_queries.story(store, other)
        assert became is not None
        assert became["id"] == kept["story_id"]
    else:
        assert not by_id
    store.close()
