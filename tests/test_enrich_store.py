"""Enrichment stored and served: the pipeline's enrich step, the export fields, entities across articles,
`tidings enrich`, and the reader's entity pages, against a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tidings import pipeline, settings
from tidings.models import CanonicalArticle
from tidings.store import Store, enrich_queries, queries
from tidings.web import create_app

from .conftest import DATA, CliRun, export, seed_path

NOW = datetime(2025, 7, 2, 12, tzinfo=UTC)
SEED = json.loads((DATA / "seeds-expected.json").read_text(encoding="utf-8"))["articles"][0]
FOLLOW_UP = (
    "Lukashenko said on Wednesday that Minsk was ready to host talks between Moscow and Washington.",
    "“We are neighbours, and we want this war to end,” Lukashenko told reporters in Minsk.",
)


@pytest.fixture
def store(db_url: str) -> Store:
    opened = Store(db_url)
    opened.migrate()
    return opened


@pytest.fixture
def conf(db_url: str) -> settings.Settings:
    return settings.load({"db": db_url}, environ={})


def add_article(
    store: Store,
    conf: settings.Settings,
    body: tuple[str, ...],
    title: str = "Ceasefire",
    story: int | None = None,
) -> int:
    article = CanonicalArticle(title, None, body, "Russia Today", None, NOW, None)
    with store.begin() as tx:
        article_id = tx.new_article()
        tx.save_article(article_id, article)
        assert pipeline._enrich(tx, article_id, article, conf)
        story_id = tx.save_story(story, title, NOW, {"ceasefire": 1.0})
        tx.set_article_story(article_id, story_id)
    return article_id


def test_enrich_step_stores_and_redoes_only_when_the_text_changes(
    store: Store, conf: settings.Settings
) -> None:
    article_id = add_article(store, conf, tuple(SEED["body"]))
    article = CanonicalArticle("Ceasefire", None, tuple(SEED["body"]), "Russia Today", None, NOW, None)
    with store.begin() as tx:
        assert not pipeline._enrich(tx, article_id, article, conf)  # same text: nothing to do
    shorter = CanonicalArticle("Ceasefire", None, tuple(SEED["body"][:6]), "Russia Today", None, NOW, None)
    with store.begin() as tx:
        tx.save_article(article_id, shorter)
        assert pipeline._enrich(tx, article_id, shorter, conf)
    found = queries.article(store, article_id)
    assert found is not None
    assert all(q["paragraph"] < 6 for q in found["quotes"])
    texts = [q["text"] for q in found["quotes"]]
    assert len(texts) == len(set(texts))  # replaced, not added to


def test_article_gets_the_enrich_fields(store: Store, conf: settings.Settings) -> None:
    found = queries.article(store, add_article(store, conf, tuple(SEED["body"])))
    assert found is not None
    assert found["language"] == "en"  # no copy gave one: the text's
    assert found["reading_minutes"] == 2
    assert 3 <= len(found["key_points"]) <= 5
    point = found["key_points"][0]
    assert found["body"][point["paragraph"]][point["start"] : point["end"]] == point["text"]
    kellogg = [q for q in found["quotes"] if q["text"].startswith("at no point")]
    assert [(q["speaker"], q["kind"], q["paragraph"]) for q in kellogg] == [("Keith Kellogg", "direct", 5)]
    assert kellogg[0]["speaker_id"] is not None
    names = {e["name"]: e for e in found["entities"]}
    assert names["Alexander Lukashenko"]["kind"] == "PERSON"
    assert len(names["Alexander Lukashenko"]["mentions"]) == 5
    assert "Alexander Lukashenko" in found["keywords"]


def test_entities_are_shared_across_articles_and_a_surname_joins_its_person(
    store: Store, conf: settings.Settings
) -> None:
    first = add_article(store, conf, tuple(SEED["body"]))
    second = add_article(store, conf, FOLLOW_UP, title="Minsk offers talks")
    people = {e["name"]: e for e in enrich_queries.entities(store, "PERSON")}
    assert "Lukashenko" not in people
    lukashenko = enrich_queries.entity(store, people["Alexander Lukashenko"]["id"])
    assert lukashenko is not None
    assert [a["id"] for a in lukashenko["articles"]] == [second, first] or {
        a["id"] for a in lukashenko["articles"]
    } == {
        first,
        second,
    }
    assert lukashenko["stories"] == 2
    quoted = {q["text"] for q in lukashenko["quotes"]}
    assert "We are neighbours, and we want this war to end" in quoted
    assert any(t.startswith("Let them tell their client") for t in quoted)
    assert {q["article_id"] for q in lukashenko["quotes"]} == {first, second}
    places = [e["name"] for e in enrich_queries.entities(store, "PLACE")]
    assert places[0] in ("Minsk", "Russia", "Moscow", "Washington")  # the most written-about first


def test_deleting_an_article_takes_its_enrichment_along(store: Store, conf: settings.Settings) -> None:
    from sqlalchemy import delete, func, select

    from tidings.store import schema as t

    article_id = add_article(store, conf, tuple(SEED["body"]))
    with store.begin() as tx:
        tx.c.execute(delete(t.articles).where(t.articles.c.id == article_id))
    with store.engine.connect() as c:
        for table in (t.article_enrichments, t.entity_mentions, t.quotes):
            assert c.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_tidings_enrich_command(
    store: Store, conf: settings.Settings, tidings: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(store, conf, tuple(SEED["body"]))
    result = tidings("enrich")
    assert result.exit_code == 0, result.output
    assert "0 of 1 articles enriched (rules)" in result.output  # unchanged since ingestion
    monkeypatch.setenv("TIDINGS_ENRICH_SPACY_MODEL", "xx_no_such_model_sm")
    result = tidings("enrich", "--article", "1", "--article", "999999")
    assert result.exit_code == 0, result.output
    assert "'xx_no_such_model_sm' is not installed" in result.stderr
    assert "0 of 2 articles enriched" in result.output
    bad = tidings("enrich", "--article", "zero")
    assert bad.exit_code == 2


def test_seed_ingest_export_names_the_speakers(tidings: CliRun) -> None:
    for name, site in (("000_c100f08fb188bf5b.txt", "PressBee"), ("001_ae48cccfe7820d61.txt", "Daily8")):
        result = tidings(
            "ingest", seed_path(name), "--site", site, "--fetched-at", "2025-07-02T12:00:00+00:00"
        )
        assert result.exit_code == 0, result.output
    ceasefire = next(a for a in export(tidings) if "ceasefire" in (a["title"] or ""))
    said = {(q["speaker"], q["text"][:30]) for q in ceasefire["quotes"]}
    assert ("Alexander Lukashenko", "Let them tell their client [Vl") in said
    assert ("Keith Kellogg", "at no point did I make comment") in said
    assert {"key_points", "quotes", "entities", "keywords", "reading_minutes"} <= set(ceasefire)


# the reader -------------------------------------------------------------------------------------------------
@pytest.fixture
def client(store: Store, conf: settings.Settings) -> TestClient:
    return TestClient(create_app(store, conf, clock=lambda: NOW))


def test_article_page_shows_where_everything_comes_from(
    store: Store, conf: settings.Settings, client: TestClient
) -> None:
    article_id = add_article(store, conf, tuple(SEED["body"]))
    page = client.get(f"/articles/{article_id}")
    assert page.status_code == 200
    html = page.text
    assert "From the article’s text" in html
    assert 'id="p6"' in html
    assert 'href="#p6"' in html
    assert "Keith Kellogg</a>" in html
    assert "Key points" in html
    assert "Who said what" in html
    assert "People, places and organisations" in html


def test_entity_pages(store: Store, conf: settings.Settings, client: TestClient) -> None:
    first = add_article(store, conf, tuple(SEED["body"]))
    add_article(store, conf, FOLLOW_UP, title="Minsk offers talks")
    listing = client.get("/entities?kind=people")
    assert listing.status_code == 200
    assert "Alexander Lukashenko" in listing.text
    assert "Minsk" not in listing.text.split("<main")[1]
    person = next(e for e in enrich_queries.entities(store, "PERSON") if e["name"] == "Alexander Lukashenko")
    page = client.get(f"/entities/{person['id']}")
    assert page.status_code == 200
    assert "Minsk offers talks" in page.text
    assert "We are neighbours" in page.text
    assert client.get(f"/stories/{queries.article(store, first)['story_id']}/key-points").status_code == 200  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/entities/0",
        "/entities/abc",
        "/entities/99999999999999999999999",
        "/entities/123456",
        "/entities?kind=bogus",
        "/entities?page=0",
        "/entities?page=99",
        "/stories/0/key-points",
        "/stories/123456/key-points",
        "/stories/%3Cscript%3E/key-points",
    ],
)
def test_entity_pages_bad_addresses_are_404(
    store: Store, conf: settings.Settings, client: TestClient, path: str
) -> None:
    add_article(store, conf, tuple(SEED["body"]))
    assert client.get(path).status_code == 404


def test_hostile_text_is_escaped(store: Store, conf: settings.Settings, client: TestClient) -> None:
    body = (
        "“<script>alert(1)</script> is what we found,” said Maria Lopez, the inspector at Harrow Labs.",
        "Maria Lopez said the <img src=x onerror=alert(1)> tag was in the page.",
    )
    article_id = add_article(store, conf, body)
    for path in (
        f"/articles/{article_id}",
        "/entities",
        f"/entities/{enrich_queries.entities(store, 'PERSON')[0]['id']}",
    ):
        html = client.get(path).text
        assert "<script>alert" not in html
        assert "<img src=x" not in html


def test_empty_and_huge_articles_through_the_step(store: Store, conf: settings.Settings) -> None:
    empty = add_article(store, conf, ())
    huge = add_article(
        store, conf.replace(enrich_max_chars=5000), ("Maria Lopez said the river rose. " * 50,) * 400
    )
    assert queries.article(store, empty)["key_points"] == []  # type: ignore[index]
    with store.engine.connect() as c:
        from sqlalchemy import select

        from tidings.store import schema as t

        truncated = c.execute(
            select(t.article_enrichments.c.truncated).where(t.article_enrichments.c.article_id == huge)
        ).scalar_one()
    assert truncated
